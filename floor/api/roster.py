"""The roster's API (supervisors and admins; the /roster/ page uses it).

GET  /api/roster/?week=YYYY-MM-DD   the week (from its Monday) as the grid shows it
POST /api/roster/cells/             {"agent", "date", "shift" (id, or null: off)}: one cell
POST /api/roster/copy-week/         {"from", "to"} (Mondays): the "from" week onto the "to" week
POST /api/roster/fill/              {"agents": [...], "from", "to", "shift", "working_days_only"}
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.inputs import MAX_DB_ID, InputSerializer
from callcenter.workdays import operating_day
from floor import roster_selectors, roster_services
from floor.models import Shift

_time = serializers.TimeField(format="%H:%M").to_representation
_stamp = serializers.DateTimeField().to_representation


class AgentNameField(serializers.CharField):
    """An agent by username (the grid's rows); an unknown name is bad input."""

    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        # looked up here, so the length is checked here (validators run on the user found)
        user = get_user_model().objects.filter(username=name).first() if len(name) <= 150 else None
        if user is None:
            raise serializers.ValidationError(_("No such agent."))
        return user


class ShiftField(serializers.IntegerField):
    """A shift by id; null is a day off."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        pk = super().to_internal_value(data)
        # the range is checked here (validators would run on the shift found)
        shift = Shift.objects.filter(pk=pk).first() if 0 < pk <= MAX_DB_ID else None
        if shift is None:
            raise serializers.ValidationError(_("No such shift."))
        return shift

    def validate_empty_values(self, data):
        if data is None:
            return True, None
        return super().validate_empty_values(data)


class RosterWeekQuerySerializer(InputSerializer):
    week = serializers.DateField(required=False, help_text="any day of the week; default this week")


class RosterCellInputSerializer(InputSerializer):
    agent = AgentNameField()
    date = serializers.DateField()
    shift = ShiftField(help_text="a shift's id; null: off that day")


# "from" is a Python keyword: these two are made with type() so their JSON names are from and to.
RosterCopyInputSerializer = type(
    "RosterCopyInputSerializer",
    (InputSerializer,),
    {
        "from": serializers.DateField(help_text="Monday of the week copied"),
        "to": serializers.DateField(help_text="Monday of the week it is copied onto"),
        "__module__": __name__,
    },
)
RosterFillInputSerializer = type(
    "RosterFillInputSerializer",
    (InputSerializer,),
    {
        "agents": serializers.ListField(child=AgentNameField(), min_length=1, max_length=500),
        "from": serializers.DateField(help_text="the first day"),
        "to": serializers.DateField(help_text="the last day (at most 93 days after the first)"),
        "shift": ShiftField(help_text="a shift's id; null: off those days"),
        "working_days_only": serializers.BooleanField(
            default=False, help_text="leave weekends and Korean public holidays as they are"
        ),
        "__module__": __name__,
    },
)


class RosterShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    starts = serializers.CharField(help_text="HH:MM")
    ends = serializers.CharField(help_text="HH:MM; earlier than starts for a shift that ends the next day")


class RosterDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    holiday = serializers.CharField(allow_null=True, help_text="the Korean public holiday's name, or null")
    working_day = serializers.BooleanField()
    today = serializers.BooleanField(help_text="the operating day now (from OPERATING_DAY_STARTS)")


class RosterRowSerializer(serializers.Serializer):
    agent = serializers.CharField(help_text="username")
    name = serializers.CharField()
    signed_in = serializers.BooleanField(help_text="signed in to a shift now")
    signed_in_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    state_label = serializers.CharField()
    shifts = serializers.ListField(child=serializers.IntegerField(allow_null=True), help_text="seven shift ids or null")


class RosterWeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = RosterDaySerializer(many=True)
    shifts = RosterShiftSerializer(many=True)
    rows = RosterRowSerializer(many=True)
    signed_in = serializers.IntegerField()


class RosterCellSerializer(serializers.Serializer):
    agent = serializers.CharField()
    date = serializers.DateField()
    shift = serializers.IntegerField(allow_null=True)


class RosterWrittenSerializer(serializers.Serializer):
    written = serializers.IntegerField(help_text="cells written")
    week = RosterWeekSerializer(help_text="the week of the target (copy) or of the range's start (fill)")


def shift_data(shift: Shift) -> dict:
    return {
        "id": shift.pk,
        "name_ko": shift.name_ko,
        "name_en": shift.name_en or shift.name_ko,
        "starts": _time(shift.starts),
        "ends": _time(shift.ends),
    }


def week_data(week: dict) -> dict:
    return {
        "start": week["start"].isoformat(),
        "end": week["end"].isoformat(),
        "days": [{**day, "date": day["date"].isoformat()} for day in week["days"]],
        "shifts": [shift_data(shift) for shift in week["shifts"]],
        "rows": [
            {
                "agent": row["username"],
                "name": row["name"],
                "signed_in": row["signed_in"],
                "signed_in_at": _stamp(row["signed_in_at"]) if row["signed_in_at"] else None,
                "state": row["state"],
                "state_label": row["state_label"],
                "shifts": [cell["shift"] for cell in row["cells"]],
            }
            for row in week["rows"]
        ],
        "signed_in": week["signed_in"],
    }


class _RosterApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_oversee)]


class RosterWeekApi(_RosterApi):
    @extend_schema(parameters=[RosterWeekQuerySerializer], responses=RosterWeekSerializer)
    def get(self, request):
        query = RosterWeekQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        week = roster_selectors.roster_week(start=query.validated_data.get("week") or operating_day())
        return Response(week_data(week))


class RosterCellApi(_RosterApi):
    @extend_schema(request=RosterCellInputSerializer, responses=RosterCellSerializer)
    def post(self, request):
        data = RosterCellInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cell = data.validated_data
        entry = roster_services.roster_cell_set(agent=cell["agent"], day=cell["date"], shift=cell["shift"])
        return Response(
            {"agent": cell["agent"].get_username(), "date": cell["date"].isoformat(), "shift": entry and entry.shift_id}
        )


class RosterCopyApi(_RosterApi):
    @extend_schema(request=RosterCopyInputSerializer, responses=RosterWrittenSerializer)
    def post(self, request):
        data = RosterCopyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = data.validated_data["to"]
        written = roster_services.roster_week_copy(source=data.validated_data["from"], target=target)
        return Response({"written": written, "week": week_data(roster_selectors.roster_week(start=target))})


class RosterFillApi(_RosterApi):
    @extend_schema(request=RosterFillInputSerializer, responses=RosterWrittenSerializer)
    def post(self, request):
        data = RosterFillInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fill = data.validated_data
        written = roster_services.roster_range_fill(
            agents=fill["agents"],
            first=fill["from"],
            last=fill["to"],
            shift=fill["shift"],
            working_days_only=fill["working_days_only"],
        )
        return Response({"written": written, "week": week_data(roster_selectors.roster_week(start=fill["from"]))})
