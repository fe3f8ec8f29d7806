"""Writes for the knowledge base. Every FAQ write keeps a revision and the search index in sync."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.error_codes import ErrorCode
from callcenter.errors import ApplicationError
from knowledgebase.models import (
    LANGUAGES,
    TRANSLATION_LANGUAGES,
    Category,
    FAQEntry,
    FAQPhrasing,
    FAQRevision,
    ProducePrice,
    Synonym,
)
from knowledgebase.models.faq import CONTENT_FIELDS
from knowledgebase.search import entry_search_columns, index_entries, remove_entries, vectors

EDITABLE_FIELDS = CONTENT_FIELDS

logger = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Category):
        return value.slug
    return value


def entry_snapshot(*, entry: FAQEntry) -> dict[str, Any]:
    """The content of an entry as plain JSON (what a revision stores)."""
    data = {name: _plain(getattr(entry, name)) for name in CONTENT_FIELDS if name != "category"}
    data["category"] = entry.category.slug
    data["external_id"] = entry.external_id or ""
    return data


def _clean_value(name: str, value: Any) -> Any:
    if name in {"valid_from", "valid_to", "review_by"}:
        if value in ("", None):
            return None
        return date.fromisoformat(value) if isinstance(value, str) else value
    if name == "external_id":
        return (value or "").strip() or None
    if name == "category":
        if isinstance(value, Category):
            return value
        category = Category.objects.filter(slug=value).first()
        if category is None:
            raise ApplicationError(_("Unknown category."), code=ErrorCode.INVALID, fields={"category": [str(value)]})
        return category
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _save(entry: FAQEntry, *, changed: list[str], author: AbstractBaseUser | None, comment: str) -> FAQEntry:
    now = timezone.now()
    for lang in LANGUAGES:
        if f"question_{lang}" in changed or f"answer_{lang}" in changed:
            setattr(entry, f"{lang}_changed_at", now)
    entry.search_title, entry.search_body = entry_search_columns(entry)
    entry.full_clean()
    created = entry.pk is None
    if created:
        entry.save()
    else:
        stamps = [
            f"{lang}_changed_at" for lang in LANGUAGES if f"question_{lang}" in changed or f"answer_{lang}" in changed
        ]
        entry.save(update_fields=[*changed, *stamps, "search_title", "search_body", "updated_at"])
    index_entries([entry.pk])
    vectors.entry_embed_on_save(entry)
    number = 1 if created else (entry.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    FAQRevision.objects.create(
        entry=entry,
        number=number,
        author=author if getattr(author, "is_authenticated", False) else None,
        comment=comment[:200],
        changed_fields=changed,
        data=entry_snapshot(entry=entry),
        created_at=now,
    )
    return entry


@transaction.atomic
def faq_entry_create(*, data: dict[str, Any], author: AbstractBaseUser | None = None, comment: str = "") -> FAQEntry:
    """Create an entry from content fields. Side effects: revision 1, the search index row."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    entry = FAQEntry()
    for name, value in data.items():
        setattr(entry, name, _clean_value(name, value))
    changed = [name for name in data if getattr(entry, name) not in (None, "")]
    return _save(entry, changed=changed, author=author, comment=comment or _("Created"))


@transaction.atomic
def faq_entry_update(
    *, entry: FAQEntry, data: dict[str, Any], author: AbstractBaseUser | None = None, comment: str = ""
) -> FAQEntry:
    """Change an entry's content. No change, no write. Side effects: a revision, the search index row."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    entry = FAQEntry.objects.select_for_update().get(pk=entry.pk)
    before = {name: getattr(entry, name) for name in data}
    for name, value in data.items():
        setattr(entry, name, _clean_value(name, value))
    changed = [name for name in data if getattr(entry, name) != before[name]]
    if not changed:
        return entry
    return _save(entry, changed=changed, author=author, comment=comment or _("Edited"))


@transaction.atomic
def faq_translation_save(
    *,
    entry: FAQEntry,
    language: str,
    question: str,
    answer: str,
    source: str,
    author: AbstractBaseUser | None = None,
) -> FAQEntry:
    """Write one translation of an entry, written beside its Korean source. Saved, it is up to
    date with the Korean text as it is now, even when its words did not change (the translator
    checked it against the changed Korean). Side effects: a revision, the index row, its vector.
    Raises ValidationError for a half translation, ApplicationError for an unknown language."""
    if language not in TRANSLATION_LANGUAGES:
        raise ApplicationError(_("Unknown language."), code=ErrorCode.INVALID, fields={"language": [str(language)]})
    entry = FAQEntry.objects.select_for_update().get(pk=entry.pk)
    data = {f"question_{language}": question, f"answer_{language}": answer, f"{language}_source": source}
    before = {name: getattr(entry, name) for name in data}
    for name, value in data.items():
        setattr(entry, name, _clean_value(name, value))
    changed = [name for name in data if getattr(entry, name) != before[name]]
    outdated = entry.translation_status()[language] == "outdated"
    if not changed and not outdated:
        return entry
    # Stamped as written now: the translation is no longer older than the Korean text.
    changed = sorted({*changed, f"question_{language}"})
    comment = _("Translation (%(language)s)") % {"language": language}
    return _save(entry, changed=changed, author=author, comment=comment)


def _set_status(entries: Iterable[FAQEntry], status: str, author: AbstractBaseUser | None, comment: str) -> int:
    count = 0
    for entry in entries:
        if entry.status != status:
            faq_entry_update(entry=entry, data={"status": status}, author=author, comment=comment)
            count += 1
    return count


@transaction.atomic
def faq_entry_publish(*, entries: Iterable[FAQEntry], author: AbstractBaseUser | None = None) -> int:
    """Publish entries (agents find them at once). Returns how many changed. Side effects: revisions, index."""
    return _set_status(entries, FAQEntry.Status.PUBLISHED, author, _("Published"))


@transaction.atomic
def faq_entry_archive(*, entries: Iterable[FAQEntry], author: AbstractBaseUser | None = None) -> int:
    """Archive entries (hidden from agents). Returns how many changed. Side effects: revisions, index."""
    return _set_status(entries, FAQEntry.Status.ARCHIVED, author, _("Archived"))


@transaction.atomic
def faq_entry_restore(*, entry: FAQEntry, revision: FAQRevision, author: AbstractBaseUser | None = None) -> FAQEntry:
    """Bring back an older revision's content as a new revision. Side effects: a revision, the index row."""
    if revision.entry_id != entry.pk:
        raise ApplicationError(_("That revision belongs to another entry."), code=ErrorCode.INVALID)
    data = {name: revision.data.get(name, "") for name in CONTENT_FIELDS}
    if not Category.objects.filter(slug=data["category"]).exists():
        data.pop("category")
    entry = faq_entry_update(
        entry=entry, data=data, author=author, comment=_("Restored revision %(number)s") % {"number": revision.number}
    )
    return entry


@transaction.atomic
def faq_entry_delete(*, entry: FAQEntry) -> None:
    """Delete an entry with its revisions. Side effect: removes its search index row."""
    pk = entry.pk
    entry.delete()
    remove_entries([pk])


PHRASING_MAX_LENGTH = 200
# Four or more digits in a row (a phone, card or resident number) never enter a phrasing;
# 120 and other short numbers stay.
_LONG_NUMBER = re.compile(r"\S*\d[\d\-. ]{2,}\d\S*")


def phrasing_clean(*, text: str) -> str:
    """A phrasing as stored: no long numbers, spaces collapsed, at most 200 characters."""
    text = _LONG_NUMBER.sub(lambda match: match.group(0) if sum(c.isdigit() for c in match.group(0)) < 4 else " ", text)
    return " ".join((text or "").split())[:PHRASING_MAX_LENGTH]


@transaction.atomic
def faq_phrasing_add(
    *, entry: FAQEntry, text: str, language: str = "ko", source: str = FAQPhrasing.Source.SEARCH
) -> FAQPhrasing:
    """Keep a caller's phrasing of an entry (e.g. the query of a search whose result was linked to
    the call). Search uses it afterwards: its words as the entry's title, its meaning beside the
    entry's text. The same phrasing again counts one more use.

    Side effects: the entry's search column and index row; the phrasing's vector (when the model is on).
    Raises ApplicationError (invalid) for an empty text or an unknown language.
    """
    cleaned = phrasing_clean(text=text)
    if len(cleaned) < 2:
        raise ApplicationError(
            _("Give the caller's words."), code=ErrorCode.INVALID, fields={"text": [_("Too short.")]}
        )
    if language not in LANGUAGES:
        raise ApplicationError(_("Unknown language."), code=ErrorCode.INVALID, fields={"language": [str(language)]})
    if source not in FAQPhrasing.Source.values:
        raise ApplicationError(_("Unknown source."), code=ErrorCode.INVALID, fields={"source": [str(source)]})
    phrasing = FAQPhrasing.objects.select_for_update().filter(entry=entry, language=language, text=cleaned).first()
    if phrasing is not None:
        phrasing.uses = F("uses") + 1
        phrasing.save(update_fields=["uses", "updated_at"])
        phrasing.refresh_from_db()
        return phrasing
    phrasing = FAQPhrasing(entry=entry, language=language, text=cleaned, source=source)
    phrasing.full_clean()
    phrasing.save()
    entry = FAQEntry.objects.get(pk=entry.pk)
    entry.search_title, entry.search_body = entry_search_columns(entry)
    entry.save(update_fields=["search_title", "search_body"])
    index_entries([entry.pk])
    try:
        vectors.phrasings_embed([phrasing])
    except Exception:  # words already find it; kb_embed embeds it later
        logger.warning("Could not embed phrasing %s; run `manage.py kb_embed` to catch up.", phrasing.pk, exc_info=True)
    return phrasing


@transaction.atomic
def faq_usage_record(*, entry_ids: Iterable[int]) -> int:
    """Count one use in a call for each entry. Returns how many entries were counted."""
    ids = sorted(set(entry_ids))
    return FAQEntry.objects.filter(pk__in=ids).update(usage_count=F("usage_count") + 1)


def korean_changes_since(*, entry: FAQEntry, language: str) -> list[dict[str, Any]]:
    """What changed in the Korean question and answer since this translation was last written
    (empty when the translation is missing or up to date): per field, a line diff."""
    written = getattr(entry, f"{language}_changed_at", None)
    if entry.translation_status().get(language) != "outdated" or written is None:
        return []
    then = entry.revisions.filter(created_at__lte=written).order_by("-number").first()
    if then is None:
        return []
    rows = []
    for name in ("question_ko", "answer_ko"):
        old, new = str(then.data.get(name, "") or ""), str(getattr(entry, name) or "")
        if old != new:
            diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
            rows.append({"field": name, "before": old, "after": new, "diff": diff})
    return rows


def revision_diff(*, revision: FAQRevision) -> list[dict[str, Any]]:
    """Per changed field: the older and newer value and a line diff, against the revision before."""
    previous = (
        FAQRevision.objects.filter(entry_id=revision.entry_id, number__lt=revision.number).order_by("-number").first()
    )
    before = previous.data if previous else {}
    rows = []
    for name in CONTENT_FIELDS:
        old, new = str(before.get(name, "") or ""), str(revision.data.get(name, "") or "")
        if old == new:
            continue
        diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
        rows.append({"field": name, "before": old, "after": new, "diff": diff})
    return rows


@transaction.atomic
def synonym_save(*, synonym: Synonym) -> Synonym:
    """Create or change a synonym group; search uses it from the next query on."""
    synonym.full_clean()
    synonym.save()
    return synonym


@transaction.atomic
def synonyms_add(*, groups: Iterable[str], kind: str = Synonym.Kind.SYNONYM) -> int:
    """Add the groups (each "a, b, c") that are not there yet, word for word; the number added.
    All or nothing: a group that is not valid adds none of them (ValidationError)."""
    existing = set(Synonym.objects.values_list("terms", flat=True))
    added = 0
    for terms in groups:
        if terms not in existing:
            synonym_save(synonym=Synonym(terms=terms, kind=kind))
            existing.add(terms)
            added += 1
    return added


@transaction.atomic
def synonym_delete(*, synonym: Synonym) -> None:
    synonym.delete()


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Create or change a category (Django admin). Side effect: the consoles' category
    lists change with the next request (their cache follows the save)."""
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category no call refers to (a used one is protected: turn it off instead)."""
    category.delete()


@transaction.atomic
def category_get_or_create(*, name: str) -> tuple[Category, bool]:
    """A category by slug or name (Korean or English); an unknown name creates one.

    New categories from imports are not offered when logging calls until an
    admin turns them on: the portal's categories differ from the call categories.
    """
    from django.utils.text import slugify

    name = name.strip()
    for lookup in ({"slug": name}, {"name_ko": name}, {"name_en__iexact": name}):
        category = Category.objects.filter(**lookup).first()
        if category is not None:
            return category, False
    slug = slugify(name, allow_unicode=True)[:60] or "category"
    base, n = slug, 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    category = Category(slug=slug, name_ko=name[:100], sort_order=500, is_active=False)
    category.full_clean()
    category.save()
    return category, True


def reindex_all() -> int:
    """Rebuild every entry's search column and index row (after a change of the text rules)."""
    count = 0
    for entry in FAQEntry.objects.iterator(chunk_size=500):
        entry.search_title, entry.search_body = entry_search_columns(entry)
        entry.save(update_fields=["search_title", "search_body"])
        count += 1
    index_entries(FAQEntry.objects.values_list("pk", flat=True))
    return count


@transaction.atomic
def produce_prices_save(*, prices: list[ProducePrice]) -> int:
    """Insert or update daily prices (one row per item, variety, grade, date and source). Returns the row count."""
    for price in prices:
        price.full_clean(validate_unique=False, validate_constraints=False)
    ProducePrice.objects.bulk_create(
        prices,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["item", "variety", "grade", "date", "source"],
        update_fields=[
            "item_code",
            "variety_code",
            "unit",
            "price",
            "week_ago_price",
            "month_ago_price",
            "year_ago_price",
        ],
    )
    return len(prices)
