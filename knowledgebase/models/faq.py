"""FAQ entries (Korean plus optional English, Chinese, Japanese), their revisions, and synonyms."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledgebase.models.category import Category

LANGUAGES = ("ko", "en", "zh", "ja")
TRANSLATION_LANGUAGES = ("en", "zh", "ja")
LANGUAGE_NAMES = {"ko": _("Korean"), "en": _("English"), "zh": _("Chinese"), "ja": _("Japanese")}


class TranslationSource(models.TextChoices):
    """Who wrote a translation (shown beside it in admin; the data file marks each)."""

    UNKNOWN = "", _("Not recorded")
    TEAM = "team", _("Team-written, not yet checked by a native speaker")
    REVIEWED = "reviewed", _("Checked by a native speaker")


# The fields a revision snapshots, an import/export row carries, and an edit may change.
CONTENT_FIELDS = (
    "category",
    "status",
    "external_id",
    "keywords",
    "valid_from",
    "valid_to",
    "review_by",
    *(f"{kind}_{lang}" for lang in LANGUAGES for kind in ("question", "answer")),
    *(f"{lang}_source" for lang in TRANSLATION_LANGUAGES),
)


class FAQEntry(models.Model):
    """One question and its answer, in Korean and optionally three more languages."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="faq_entries", verbose_name=_("category")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The id in the source an entry was imported from; imports update the entry with the same id."),
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated words callers use for this topic.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Seasonal entries (kimjang prices, festival dates) end here.")
    )
    review_by = models.DateField(
        _("review by"), null=True, blank=True, help_text=_("After this date the entry is flagged as stale.")
    )
    usage_count = models.PositiveIntegerField(_("used in calls"), default=0)

    question_ko = models.CharField(_("question (Korean)"), max_length=300)
    answer_ko = models.TextField(_("answer (Korean)"), blank=True)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer_en = models.TextField(_("answer (English)"), blank=True)
    question_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    answer_zh = models.TextField(_("answer (Chinese)"), blank=True)
    question_ja = models.CharField(_("question (Japanese)"), max_length=300, blank=True)
    answer_ja = models.TextField(_("answer (Japanese)"), blank=True)
    en_source = models.CharField(
        _("English translation by"), max_length=10, choices=TranslationSource.choices, blank=True, default=""
    )
    zh_source = models.CharField(
        _("Chinese translation by"), max_length=10, choices=TranslationSource.choices, blank=True, default=""
    )
    ja_source = models.CharField(
        _("Japanese translation by"), max_length=10, choices=TranslationSource.choices, blank=True, default=""
    )
    # When each language's text last changed: a translation older than the
    # Korean text is shown as outdated.
    ko_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    en_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    zh_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    ja_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The search column, built in Python (knowledgebase/search/text.py): Hangul
    # as overlapping two-syllable pieces, Latin words stemmed. SQLite copies it
    # into an FTS5 table, PostgreSQL into a tsvector column (service layer).
    search_title = models.TextField(editable=False, blank=True, default="")
    search_body = models.TextField(editable=False, blank=True, default="")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["category__sort_order", "question_ko", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        indexes = [models.Index(fields=["status", "category"], name="faq_status_category")]

    def __str__(self) -> str:
        return self.question_ko

    def clean(self) -> None:
        errors = {}
        if not (self.question_ko or "").strip():
            errors["question_ko"] = _("Write the question in Korean.")
        if self.status == self.Status.PUBLISHED and not (self.answer_ko or "").strip():
            errors["answer_ko"] = _("A published entry needs a Korean answer.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The entry cannot end before it starts.")
        for lang in TRANSLATION_LANGUAGES:
            question, answer = getattr(self, f"question_{lang}"), getattr(self, f"answer_{lang}")
            if bool(question.strip()) != bool(answer.strip()):
                errors[f"answer_{lang}" if question.strip() else f"question_{lang}"] = _(
                    "Give both the question and the answer in this language, or neither."
                )
        if errors:
            raise ValidationError(errors)

    # --- per-language text -------------------------------------------------
    def has_language(self, lang: str) -> bool:
        return bool(getattr(self, f"question_{lang}", "").strip() and getattr(self, f"answer_{lang}", "").strip())

    def text_in(self, lang: str) -> tuple[str, str, str]:
        """(language, question, answer) in `lang`, falling back to Korean."""
        if lang in LANGUAGES and self.has_language(lang):
            return lang, getattr(self, f"question_{lang}"), getattr(self, f"answer_{lang}")
        return "ko", self.question_ko, self.answer_ko

    def translation_status(self) -> dict[str, str]:
        """For en/zh/ja: "missing", "outdated" (older than the Korean text) or "ok"."""
        status = {}
        for lang in TRANSLATION_LANGUAGES:
            if not self.has_language(lang):
                status[lang] = "missing"
                continue
            changed, korean = getattr(self, f"{lang}_changed_at"), self.ko_changed_at
            status[lang] = "outdated" if changed and korean and changed < korean else "ok"
        return status

    # --- validity --------------------------------------------------------------
    def in_season(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    def is_stale(self, today: date | None = None) -> bool:
        return self.review_by is not None and self.review_by < (today or timezone.localdate())


class FAQRevision(models.Model):
    """A snapshot of an entry's content after a save: who, when, what changed."""

    entry = models.ForeignKey(FAQEntry, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    data = models.JSONField(_("content"), default=dict)

    class Meta:
        ordering = ["entry", "-number"]
        verbose_name = _("FAQ revision")
        verbose_name_plural = _("FAQ revisions")
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="faq_revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.entry_id} r{self.number}"


class Synonym(models.Model):
    """Words callers use for the same thing (수도세 = 수도요금); search expands each to the others.

    A glossary group (여권 = passport = 护照 = パスポート, the team's glossary) works one way only:
    a query with no Korean in it is carried into Korean through it, and a Korean query is not
    widened by it (its foreign words would only find the Korean entries again, at a cost)."""

    class Kind(models.TextChoices):
        SYNONYM = "synonym", _("synonyms (both ways)")
        GLOSSARY = "glossary", _("glossary (a caller's foreign words → Korean)")

    terms = models.CharField(
        _("terms"),
        max_length=300,
        help_text=_("Two or more words that mean the same, separated by commas or “=”: 수도세, 수도요금"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SYNONYM)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")

    def __str__(self) -> str:
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        import re

        return [term.strip() for term in re.split(r"[,=;\n]", self.terms) if term.strip()]

    def clean(self) -> None:
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": _("Give at least two words.")})
