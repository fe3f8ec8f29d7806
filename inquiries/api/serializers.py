import copy
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callcenter.inputs import MAX_DB_ID, BoundedDateTimeField, InputSerializer, PhoneNumberField
from floor import selectors as floor_selectors
from inquiries.models import SUMMARY_MAX_LENGTH, Call, Language
from knowledgebase.models import Category, FAQEntry
from knowledgebase.selectors import category_find


class CategorySlugField(serializers.SlugRelatedField):
    """A category by slug, from the process's category cache (no query per call)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data):
        category = category_find(slug=smart_str(data))
        if category is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return category


class FAQEntryIdsField(serializers.ListField):
    """A list of FAQ entry ids, looked up in one query (not one per id)."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("error_messages", {"max_length": _("Link at most 20 FAQ entries to a call.")})
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        entries = FAQEntry.objects.in_bulk(ids)
        unknown = [pk for pk in ids if pk not in entries]
        if unknown:
            raise serializers.ValidationError(
                [_("Unknown FAQ entry {pk_value}.").format(pk_value=pk) for pk in unknown]
            )
        return [entries[pk] for pk in ids]


# A Serializer whose fields are shallow copies of prototypes made once per class.
# DRF deep-copies every declared field for every instance; for the call input that
# was 15% of a logged call's CPU (bench/calls.py). A shallow copy is enough while no
# field's nested state (validators, choices, a ListField's child) is changed per
# instance; top-level attributes (the binding, `required`) are the copy's own.
# (A comment, not a docstring: drf-spectacular would publish it for every subclass.)
class PrototypeFieldsSerializer(InputSerializer):
    def get_fields(self):
        prototypes = type(self).__dict__.get("_field_prototypes")
        if prototypes is None:  # once per class (a race only makes it twice)
            prototypes = super().get_fields()
            type(self)._field_prototypes = prototypes
        return {name: copy.copy(field) for name, field in prototypes.items()}


CLOCK_SKEW = timedelta(minutes=5)
MAX_CALL_DURATION = timedelta(hours=24)


def _call_backdate() -> timedelta:
    return timedelta(days=settings.CALL_BACKDATE_DAYS)


def _check_duration(started: datetime | None, ended: datetime | None) -> None:
    if started and ended and ended < started:
        raise serializers.ValidationError({"ended_at": [_("The call cannot end before it started.")]})
    if started and ended and ended - started > MAX_CALL_DURATION:
        raise serializers.ValidationError({"ended_at": [_("A call lasts at most 24 hours.")]})


def _duration_to_end(attrs: dict[str, Any], started: datetime | None) -> None:
    """`duration_seconds` becomes `ended_at` (started + the length); both at once is refused."""
    if "duration_seconds" not in attrs:
        return
    seconds = attrs.pop("duration_seconds")
    if seconds is None:
        return
    if attrs.get("ended_at") is not None:
        raise serializers.ValidationError({"duration_seconds": [_("Give the length or the end time, not both.")]})
    attrs["ended_at"] = started + timedelta(seconds=seconds)


class CallInputSerializer(PrototypeFieldsSerializer):
    caller_number = PhoneNumberField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("Required when number_status is known (the default); absent with withheld or none."),
    )
    number_status = serializers.ChoiceField(
        choices=Call.NumberStatus.choices,
        default=Call.NumberStatus.KNOWN,
        help_text=_(
            "known: caller_number is required; withheld (the caller hid it) or none (a walk-in, an internet "
            "contact, a number not given): no caller_number, and no caller history."
        ),
    )
    category = CategorySlugField(
        error_messages={
            "does_not_exist": _("Unknown category “{value}”."),
            "null": _("Choose a category."),
            "required": _("Choose a category."),
        },
    )
    summary = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        error_messages={
            "blank": _("Write a short summary of the call."),
            "required": _("Write a short summary of the call."),
            "max_length": _("Keep the summary under {max_length} characters."),
        },
    )
    language = serializers.ChoiceField(choices=Language.choices, default=Language.KOREAN)
    channel = serializers.ChoiceField(choices=Call.Channel.choices, default=Call.Channel.PHONE)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    resolution = serializers.ChoiceField(choices=Call.Resolution.choices, default=Call.Resolution.ANSWERED)
    # a call logged late is at most CALL_BACKDATE_DAYS old; none starts or ends in the future
    started_at = BoundedDateTimeField(required=False, past=_call_backdate, future=CLOCK_SKEW)
    ended_at = BoundedDateTimeField(required=False, allow_null=True, past=_call_backdate, future=CLOCK_SKEW)
    satisfaction = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    duration_seconds = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=int(MAX_CALL_DURATION.total_seconds()),
        help_text=_("The call's length; sets ended_at from started_at (instead of ended_at)."),
        error_messages={
            "max_value": _("A call lasts at most 24 hours."),
            "min_value": _("Enter a length of 0 or more."),
        },
    )
    urgent = serializers.BooleanField(required=False, default=False)
    vulnerable = serializers.ChoiceField(choices=Call.Vulnerable.choices, required=False, default="")
    client_request_id = serializers.CharField(required=False, allow_null=True, max_length=64)
    phone_call_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    agent = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        help_text=_("Supervisors and admins may log on behalf of an agent; others log as themselves."),
    )
    faq_entries = FAQEntryIdsField(
        required=False,
        help_text=_("Ids of the knowledge-base entries used to answer the call; each counts one use."),
    )
    faq_searches = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID),
        required=False,
        max_length=50,
        help_text=_(
            "Ids of the searches made for this call (POST /api/kb/searches/): each gets its outcome, the linked "
            "entry and its rank, or none. Unknown or already closed ids are ignored."
        ),
    )

    def validate(self, attrs):
        if attrs.get("duration_seconds") is not None and not attrs.get("started_at"):
            # A length without a start: the call ends now.
            attrs["started_at"] = timezone.now() - timedelta(seconds=attrs["duration_seconds"])
        _duration_to_end(attrs, attrs.get("started_at"))
        _check_duration(attrs.get("started_at"), attrs.get("ended_at"))
        number = attrs.get("caller_number") or None
        if attrs.get("number_status", Call.NumberStatus.KNOWN) == Call.NumberStatus.KNOWN:
            if number is None:
                raise serializers.ValidationError({"caller_number": [_("Enter the caller's number.")]})
        elif number is not None:
            raise serializers.ValidationError(
                {"caller_number": [_("Leave the number out when it is withheld or there is none, or choose “known”.")]}
            )
        attrs["caller_number"] = number
        return attrs


class CallUpdateSerializer(CallInputSerializer):
    """PATCH: every field optional; the caller and idempotency key stay."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "caller_number",
            "number_status",
            "client_request_id",
            "phone_call_id",
            "agent",
            "faq_entries",
            "faq_searches",
        ):
            self.fields.pop(name)
        for field in self.fields.values():
            field.required = False

    def validate(self, attrs):
        instance = self.context["call"]
        _duration_to_end(attrs, attrs.get("started_at", instance.started_at))
        _check_duration(attrs.get("started_at", instance.started_at), attrs.get("ended_at", instance.ended_at))
        return attrs


# The documented shape of a call in answers (OpenAPI). The views answer with
# `call_data()`, which builds the same dict without DRF's per-instance cost.
class CallSerializer(serializers.ModelSerializer):
    caller_number = serializers.CharField(
        source="caller.masked_number", read_only=True, allow_null=True, help_text=_("Masked; null without a number.")
    )
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    agent = serializers.CharField(source="agent.username", read_only=True)
    duration_seconds = serializers.SerializerMethodField()
    resolution_display = serializers.CharField(source="get_resolution_display", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "caller_number",
            "number_status",
            "language",
            "channel",
            "category",
            "category_name",
            "summary",
            "notes",
            "resolution",
            "resolution_display",
            "started_at",
            "ended_at",
            "duration_seconds",
            "agent",
            "satisfaction",
            "urgent",
            "vulnerable",
            "client_request_id",
            "phone_call_id",
            "faq_entries",
            "created_at",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, call: Call) -> int | None:
        duration = call.duration
        return None if duration is None else int(duration.total_seconds())


class CallUnmaskedSerializer(CallSerializer):
    caller_number_full = serializers.CharField(source="caller.formatted_number", read_only=True, allow_null=True)

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "caller_number_full"]
        read_only_fields = fields
        sometimes_absent = ["caller_number_full"]  # only with ?unmask=1 (callcenter/schema.py)


_datetime = serializers.DateTimeField()  # stateless: reads the current time zone on each call


def call_data(call: Call, *, faq_entry_ids: list[int] | None = None, unmasked: bool = False) -> dict[str, Any]:
    """A call as every call endpoint answers with it: the shape `CallSerializer`
    documents (`CallUnmaskedSerializer` with unmasked=True), field for field.

    Built by hand because a ModelSerializer rebuilds its fields from the model on
    every instance, a fifth of a logged call's time (bench/calls.py);
    test_call_data.py checks it against the serializers in Korean and English.
    `faq_entry_ids`: the ids when the caller knows them (a call just logged
    without FAQ entries); otherwise prefetched links are used, or one query.
    """
    duration = call.duration
    if faq_entry_ids is None:
        if "faq_entries" in getattr(call, "_prefetched_objects_cache", {}):
            faq_entry_ids = [entry.pk for entry in call.faq_entries.all()]
        else:
            faq_entry_ids = list(call.faq_entries.values_list("pk", flat=True))
    data = {
        "id": call.pk,
        "caller_number": call.caller.masked_number if call.caller_id else None,
        "number_status": call.number_status,
        "language": call.language,
        "channel": call.channel,
        "category": call.category.slug,
        "category_name": str(call.category.name),
        "summary": call.summary,
        "notes": call.notes,
        "resolution": call.resolution,
        "resolution_display": str(call.get_resolution_display()),
        "started_at": _datetime.to_representation(call.started_at),
        "ended_at": _datetime.to_representation(call.ended_at) if call.ended_at else None,
        "duration_seconds": None if duration is None else int(duration.total_seconds()),
        "agent": call.agent.username,
        "satisfaction": call.satisfaction,
        "urgent": call.urgent,
        "vulnerable": call.vulnerable,
        "client_request_id": call.client_request_id,
        "phone_call_id": call.phone_call_id,
        "faq_entries": faq_entry_ids,
        "created_at": _datetime.to_representation(call.created_at),
    }
    if unmasked:
        data["caller_number_full"] = call.caller.formatted_number if call.caller_id else None
    return data


class HistoryEntrySerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    resolution_display = serializers.CharField(source="get_resolution_display", read_only=True)
    agent = serializers.CharField(source="agent.username", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "started_at",
            "category",
            "category_name",
            "summary",
            "resolution",
            "resolution_display",
            "agent",
            "language",
            "channel",
            "urgent",
        ]
        read_only_fields = fields


class CallListQuerySerializer(InputSerializer):
    """The call list's filters, for the API, the /calls/ page and its CSV export alike.
    A filter left out or empty does not filter."""

    URGENT_CHOICES = (("true", _("Urgent only")), ("false", _("Not urgent")))
    FLAGGED_CHOICES = (("any", _("Flagged as abusive (any kind)")), *floor_selectors.abuse_kind_choices())

    caller_number = PhoneNumberField(required=False, max_length=40)
    agent = serializers.CharField(required=False, max_length=150, help_text=_("username"))
    category = serializers.CharField(required=False, max_length=64, help_text=_("slug"))
    resolution = serializers.ChoiceField(choices=Call.Resolution.choices, required=False)
    channel = serializers.ChoiceField(choices=Call.Channel.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    urgent = serializers.ChoiceField(choices=URGENT_CHOICES, required=False)
    q = serializers.CharField(required=False, max_length=200, help_text=_("Text in the summary or the notes."))
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    started_from = serializers.DateTimeField(required=False, help_text=_("A time range, e.g. a shift: from"))
    started_to = serializers.DateTimeField(required=False, help_text=_("to (not included)"))
    flagged = serializers.ChoiceField(
        choices=FLAGGED_CHOICES, required=False, help_text=_("Flagged as abusive: any, or one kind of flag.")
    )

    def validate(self, attrs):
        for first, last in (("date_from", "date_to"), ("started_from", "started_to")):
            if attrs.get(first) and attrs.get(last) and attrs[last] < attrs[first]:
                raise serializers.ValidationError({last: [_("The end comes before the start.")]})
        return attrs

    def filters(self) -> dict[str, Any]:
        """The validated filters as `selectors.call_list` takes them."""
        data = dict(self.validated_data)
        if "urgent" in data:
            data["urgent"] = data["urgent"] == "true"
        if "q" in data:
            data["text"] = data.pop("q").strip() or None
        return data


class QueueCallCallerSerializer(serializers.Serializer):
    call_id = serializers.CharField()
    caller_number = serializers.CharField(allow_null=True, help_text="the full number; null when withheld")
