from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callcenter.inputs import InputSerializer
from knowledgebase.models import LANGUAGES, SearchLog
from knowledgebase.search import MAX_QUERY_LENGTH


class QueryTextField(serializers.CharField):
    """Search text: control characters (NUL included) become spaces instead of a 400."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data) if not isinstance(data, str) else data
        return "".join(" " if ord(char) < 32 or 127 <= ord(char) < 160 else char for char in text)


class SearchQuerySerializer(InputSerializer):
    q = QueryTextField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Search with at most {max_length} characters.")},
    )
    lang = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        default="ko",
        error_messages={"invalid_choice": _("Unknown language “{input}”: use ko, en, zh or ja.")},
    )
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=50)


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="entry.pk")
    external_id = serializers.CharField(source="entry.external_id", allow_null=True)
    category = serializers.CharField(source="entry.category.slug")
    language = serializers.CharField()
    question = serializers.CharField()
    answer_excerpt = serializers.CharField(help_text="HTML-escaped text with the matched terms in <mark>.")
    score = serializers.FloatField(
        help_text="Fused rank score, 0-1: 1.0 is first by words and by meaning; words alone give at most 0.4."
    )
    match = serializers.ChoiceField(
        choices=["lexical", "semantic", "both"],
        help_text="Found by its words, by its meaning only (the console's “similar meaning”), or both.",
    )
    low_confidence = serializers.BooleanField(help_text="Below the confidence floor: shown, but likely not the answer.")
    similarity = serializers.FloatField(
        allow_null=True,
        help_text="Cosine similarity of the query's meaning and the entry's (null: not ranked by meaning).",
    )
    fallback = serializers.BooleanField(help_text="The asked language is missing: the Korean text is shown.")
    review_by = serializers.DateField(source="entry.review_by", allow_null=True)
    review_overdue = serializers.BooleanField(
        source="entry.is_stale", help_text="True when the entry's review date has passed: check before reading it out."
    )


class SearchResponseSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    total = serializers.IntegerField()
    took_ms = serializers.FloatField()
    semantic = serializers.BooleanField(help_text="Whether meaning took part (false: the model is off; words only).")


class FAQEntryDetailSerializer(serializers.Serializer):
    """One entry as the console shows it, in the asked language (Korean where missing)."""

    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    category = serializers.CharField()
    category_name = serializers.CharField()
    language = serializers.CharField()
    fallback = serializers.BooleanField(help_text="True when the asked language is missing and Korean is shown.")
    question = serializers.CharField()
    answer = serializers.CharField(
        help_text="Clean text with the answer's structure as lines (headings, • and numbered items, ※ notes): "
        "what the console copies."
    )
    answer_html = serializers.CharField(
        help_text="The same answer as safe HTML built from escaped text: h4, p, ul/li and links only "
        "(tel: for phone numbers, http(s) for URLs). No HTML from the entry's text is passed through."
    )
    languages = serializers.ListField(child=serializers.CharField())
    usage_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    review_by = serializers.DateField(allow_null=True)
    review_overdue = serializers.BooleanField(help_text="True when the entry's review date has passed.")


class PriceQuerySerializer(InputSerializer):
    item = serializers.CharField(max_length=MAX_QUERY_LENGTH)
    grade = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class PriceChangeSerializer(serializers.Serializer):
    price = serializers.IntegerField(help_text="the price then")
    diff = serializers.IntegerField(help_text="now minus then")
    percent = serializers.FloatField()


class PriceChangesSerializer(serializers.Serializer):
    week = PriceChangeSerializer(allow_null=True)
    month = PriceChangeSerializer(allow_null=True)
    year = PriceChangeSerializer(allow_null=True)


class PricePointSerializer(serializers.Serializer):
    date = serializers.DateField()
    price = serializers.IntegerField()


class PriceSummarySerializer(serializers.Serializer):
    """The answer of GET /api/kb/prices (docs/knowledgebase.md)."""

    item = serializers.CharField()
    variety = serializers.CharField()
    grade = serializers.CharField()
    unit = serializers.CharField()
    date = serializers.DateField()
    price = serializers.IntegerField(help_text="won per unit")
    source = serializers.CharField()
    changes = PriceChangesSerializer()
    series = PricePointSerializer(many=True, help_text="the last 90 days")


class SearchLogInputSerializer(InputSerializer):
    q = QueryTextField(
        trim_whitespace=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Search with at most {max_length} characters.")},
    )
    lang = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        default="ko",
        error_messages={"invalid_choice": _("Unknown language “{input}”: use ko, en, zh or ja.")},
    )
    results = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of the entries shown, best first.",
    )
    total = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1_000_000)
    source = serializers.ChoiceField(choices=SearchLog.Source.choices, required=False, default=SearchLog.Source.SEARCH)


class SearchLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Send it with the call (`faq_searches`); null: not stored."
    )
    query = serializers.CharField(help_text="What was stored: the query without numbers or addresses.")
