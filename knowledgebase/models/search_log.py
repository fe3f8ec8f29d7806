"""The search log: what agents searched for and whether it ended in an answer linked to a call.

Personal-data free: the query is scrubbed before it is stored (knowledgebase/privacy.py), no
caller, call or agent is kept, and rows older than KB_SEARCH_LOG_DAYS (90) are deleted by
`manage.py kb_search_log_prune`. It feeds the admins' "questions without an answer" page and
adds linked queries to the entries as caller phrasings.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledgebase.models.faq import LANGUAGES, FAQEntry

LANGUAGE_CHOICES = [(code, code) for code in LANGUAGES]


class SearchLog(models.Model):
    """One search an agent looked at, the results shown, and its outcome once the call was logged."""

    class Source(models.TextChoices):
        SEARCH = "search", _("Typed in the search box")
        SUGGESTION = "suggestion", _("Suggested from the call's summary")

    created_at = models.DateTimeField(_("searched at"), default=timezone.now, db_index=True)
    query = models.CharField(_("query"), max_length=200)
    # Lower case, spaces collapsed: what "the same question" means when there is no model.
    normalized = models.CharField(_("normalised query"), max_length=200, db_index=True, editable=False)
    language = models.CharField(_("caller's language"), max_length=2, choices=LANGUAGE_CHOICES, default="ko")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SEARCH)
    results = models.JSONField(_("entries shown"), default=list, blank=True)
    result_count = models.PositiveIntegerField(_("matches"), default=0)
    # The outcome, set when the call the search was made for is logged.
    closed_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    linked_entry = models.ForeignKey(
        FAQEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entry linked to the call"),
    )
    # 1 = the first result shown.
    linked_rank = models.PositiveSmallIntegerField(_("rank of the linked entry"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("search")
        verbose_name_plural = _("search log")
        indexes = [models.Index(fields=["linked_entry", "created_at"], name="kb_searchlog_unanswered")]

    def __str__(self) -> str:
        return self.query


class SearchQueryVector(models.Model):
    """The meaning of one logged query (its normalised text), embedded once by one model: the
    "questions without an answer" page groups by it without embedding hundreds of queries per view.
    Written when a typed search is logged (or by `kb_embed` for older ones); deleted with the last
    search of that text (`kb_search_log_prune`)."""

    normalized = models.CharField(max_length=200)
    model = models.CharField(max_length=100)
    vector = models.BinaryField()  # float32 little-endian
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["normalized", "model"], name="kb_search_query_vector_unique"),
        ]

    def __str__(self) -> str:
        return self.normalized
