"""What semantic search keeps in the database: callers' phrasings of an entry, and the vectors.

Vectors are float32 bytes (no pgvector: not in this machine's Debian); each process keeps
them in one matrix (knowledgebase/search/vectors.py) and reads only what changed since,
found by `version`: a counter bumped once per writing transaction (`VectorVersion`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from knowledgebase.models.faq import LANGUAGES, FAQEntry

LANGUAGE_CHOICES = [(code, code) for code in LANGUAGES]


class FAQPhrasing(models.Model):
    """A caller's way of asking for an entry (from a search that ended linked to a call, or written by an admin).

    Search uses it afterwards: its words weigh as the entry's title, its meaning as the entry's own.
    """

    class Source(models.TextChoices):
        SEARCH = "search", _("A search linked to a call")
        ADMIN = "admin", _("Written by an admin")
        DEMO = "demo", _("Demo data")

    entry = models.ForeignKey(FAQEntry, on_delete=models.CASCADE, related_name="phrasings", verbose_name=_("entry"))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="ko")
    text = models.CharField(_("phrasing"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    uses = models.PositiveIntegerField(_("times linked"), default=1)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        ordering = ["entry", "-uses", "text"]
        verbose_name = _("caller phrasing")
        verbose_name_plural = _("caller phrasings")
        constraints = [
            models.UniqueConstraint(fields=["entry", "language", "text"], name="faq_phrasing_unique_text"),
        ]

    def __str__(self) -> str:
        return self.text


class FAQVector(models.Model):
    """The embedding of an entry's text in one language, or of one of its phrasings, by one model."""

    entry = models.ForeignKey(FAQEntry, on_delete=models.CASCADE, related_name="vectors")
    phrasing = models.ForeignKey(FAQPhrasing, on_delete=models.CASCADE, null=True, blank=True, related_name="vectors")
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES)
    model = models.CharField(max_length=100)
    # sha256 of the embedded text: a re-embed happens only when it changed.
    text_hash = models.CharField(max_length=64, blank=True)
    # float32 little-endian; empty: the text is gone (a translation removed), so other
    # processes drop the row from their matrix too.
    vector = models.BinaryField(blank=True)
    version = models.BigIntegerField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "language", "model"],
                condition=models.Q(phrasing__isnull=True),
                name="faq_vector_unique_entry_text",
            ),
            models.UniqueConstraint(
                fields=["phrasing", "model"],
                condition=models.Q(phrasing__isnull=False),
                name="faq_vector_unique_phrasing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.language}/{self.phrasing_id or '-'}"


class VectorVersion(models.Model):
    """One row: bumped in every transaction that writes vectors (its row lock orders the writers),
    so a process asks one cheap question per search: has anything changed since my matrix?"""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)
