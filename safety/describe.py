"""A person's description as the floor reads it, in Korean and in English.

Built from the fields (never the name, the guardian or the photo): this is
what the alert banner, the wallboard strip and a sighting search show, and
what the embedder and the word match compare a caller's words against.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.utils import translation
from django.utils.translation import gettext as _

from safety.models import Described, Sex


def describe(person: Described, *, language: str | None = None) -> str:
    with translation.override(language) if language else nullcontext():
        parts = [str(person.get_kind_display())]
        if person.sex != Sex.UNKNOWN:
            parts.append(str(person.get_sex_display()))
        if person.age is not None:
            parts.append(_("%(age)s years old") % {"age": person.age})
        if person.height_cm:
            parts.append(_("%(cm)s cm") % {"cm": person.height_cm})
        if person.build:
            parts.append(_("build: %(build)s") % {"build": person.build})
        if person.clothing:
            parts.append(_("wearing %(clothing)s") % {"clothing": person.clothing})
        if person.marks:
            parts.append(_("marks: %(marks)s") % {"marks": person.marks})
        return " · ".join(parts)


def descriptions(person: Described) -> dict[str, str]:
    """Both languages, for payloads that every receiver gets alike."""
    return {"description_ko": describe(person, language="ko"), "description_en": describe(person, language="en")}
