"""A report's filters as a client sends them (the page's form, the exports' query)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from callcenter.inputs import InputSerializer
from callcenter.workdays import operating_day
from floor.models import Shift
from inquiries.models import Call, Language
from knowledgebase.models import Category
from reports.selectors import DIMENSIONS, MAX_DAYS, ReportQuery

#: the operating days a report may name (outside them a date is a typing mistake)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DEFAULT_DAYS = 7


class ReportQuerySerializer(InputSerializer):
    """from, to (operating days, both included), by, and the filters: category
    (slug), channel, language, resolution, agent (username), shift (id).
    Without from and to the page shows the last seven operating days; the
    exports need both."""

    to = serializers.DateField(required=False, help_text=gettext_lazy("last operating day (included)"))
    by = serializers.ChoiceField(choices=DIMENSIONS, required=False)
    category = serializers.CharField(required=False, max_length=64, allow_blank=True)
    channel = serializers.ChoiceField(choices=Call.Channel.choices, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True)
    resolution = serializers.ChoiceField(choices=Call.Resolution.choices, required=False, allow_blank=True)
    agent = serializers.CharField(required=False, max_length=150, allow_blank=True)
    shift = serializers.CharField(required=False, max_length=20, allow_blank=True)

    def __init__(self, *args: Any, require_range: bool = False, **kwargs: Any) -> None:
        self.require_range = require_range
        super().__init__(*args, **kwargs)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword: declared here rather than as an attribute
        fields["from"] = serializers.DateField(required=False, help_text=gettext_lazy("first operating day"))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        first, last = attrs.get("from"), attrs.get("to")
        if self.require_range:
            for name in ("from", "to"):
                if attrs.get(name) is None:
                    errors[name] = [_("Give the first and the last operating day (YYYY-MM-DD).")]
        for name in ("from", "to"):
            value = attrs.get(name)
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                errors[name] = [_("Give a day between 2000-01-01 and 2099-12-31.")]
        if not errors:
            today = operating_day(timezone.now())
            if first is None and last is None:
                last = today
                first = last - timedelta(days=DEFAULT_DAYS - 1)
            elif first is None:
                first = last
            elif last is None:
                last = today if first <= today else first
            if last < first:
                errors["to"] = [_("The last day comes before the first.")]
            elif (last - first).days + 1 > MAX_DAYS:
                errors["to"] = [_("A report covers at most %(days)d days.") % {"days": MAX_DAYS}]
        attrs["from"], attrs["to"] = first, last
        objects = {
            "category": lambda slug: Category.objects.filter(slug=slug).first(),
            "agent": _staff_member,
            "shift": _shift,
        }
        missing = {
            "category": _("There is no category with this name."),
            "agent": _("There is no agent with this username."),
            "shift": _("There is no such shift."),
        }
        for name, find in objects.items():
            value = (attrs.get(name) or "").strip()
            found = find(value) if value else None
            if value and found is None:
                errors[name] = [missing[name]]
            attrs[name] = found
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def report_query(self) -> ReportQuery:
        data = self.validated_data
        return ReportQuery(
            date_from=data["from"],
            date_to=data["to"],
            by=data.get("by") or "day",
            category=data.get("category"),
            channel=data.get("channel") or None,
            language=data.get("language") or None,
            resolution=data.get("resolution") or None,
            agent=data.get("agent"),
            shift=data.get("shift"),
        )


def _staff_member(username: str):
    """The user by username (a former agent's figures stay reportable)."""
    return get_user_model().objects.filter(username=username).first()


def _shift(text: str) -> Shift | None:
    if not text.isdigit() or len(text) > 12:
        return None
    return Shift.objects.filter(pk=int(text)).first()
