"""The shapes of the answers built from dicts (statistics, event outcomes), for the
OpenAPI document only: the views answer with `stats`' and `services`' dicts,
these serializers say what is in them (docs/wallboard.md has every figure's definition)."""

from __future__ import annotations

from rest_framework import serializers

_rate = {"allow_null": True, "help_text": "0-1; null before the first call of the day"}
_seconds = {"allow_null": True, "help_text": "seconds; null without calls"}


class QueueSummarySerializer(serializers.Serializer):
    calls_waiting = serializers.IntegerField()
    calls_waiting_by_queue = serializers.DictField(child=serializers.IntegerField())
    longest_wait_seconds = serializers.IntegerField()
    oldest_waiting_since = serializers.DateTimeField(allow_null=True)
    generated_at = serializers.DateTimeField()


class AgentFiguresSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="offline, available, ringing, on_call, after_call_work, break")
    state_label = serializers.CharField(help_text="the state in the request's language")
    since = serializers.DateTimeField(allow_null=True)
    signed_in = serializers.BooleanField(help_text="signed in to the running shift")
    answered_today = serializers.IntegerField()
    aht_seconds = serializers.FloatField(**_seconds)
    logged_today = serializers.IntegerField()


class AgentStatusSerializer(serializers.Serializer):
    me = AgentFiguresSerializer()
    queue = QueueSummarySerializer()


class CategoryFiguresSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    today = serializers.IntegerField()
    last_15_minutes = serializers.IntegerField()
    surge = serializers.BooleanField()


class ErlangSerializer(serializers.Serializer):
    required = serializers.IntegerField(help_text="agents Erlang C asks for at the recent arrival rate")
    staffed = serializers.IntegerField()
    arrival_rate_per_hour = serializers.FloatField()
    aht_seconds = serializers.FloatField()
    traffic_erlangs = serializers.FloatField()
    predicted_service_level = serializers.FloatField()
    p_wait = serializers.FloatField()


class WallboardStatsSerializer(QueueSummarySerializer):
    agents = serializers.DictField(child=serializers.IntegerField(), help_text="agents per state")
    agents_staffed = serializers.IntegerField()
    agent_list = serializers.ListField(child=serializers.DictField(), help_text="one row per signed-in agent")
    offered_today = serializers.IntegerField()
    answered_today = serializers.IntegerField()
    abandoned_today = serializers.IntegerField()
    service_level = serializers.FloatField(**_rate)
    asa_seconds = serializers.FloatField(**_seconds)
    aht_seconds = serializers.FloatField(**_seconds)
    abandon_rate = serializers.FloatField(**_rate)
    occupancy = serializers.FloatField(**_rate)
    satisfaction = serializers.FloatField(allow_null=True, help_text="0-100")
    calls_by_category = CategoryFiguresSerializer(many=True)
    surges = serializers.ListField(child=serializers.DictField())
    operating_day = serializers.DateField(
        help_text="the operating day the *_today figures count (from OPERATING_DAY_STARTS)"
    )
    day_starts = serializers.DateTimeField(help_text="when that operating day began (08:00 local by default)")
    calls_per_hour = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="24 counts by local clock hour (index 0 is 00:00-01:00), this operating day",
    )
    calls_per_hour_last_week = serializers.ListField(child=serializers.IntegerField())
    erlang = ErlangSerializer()
    shift = serializers.DictField(allow_null=True, help_text="the running shift's figures, null between shifts")
    targets = serializers.DictField()
    missed = serializers.ListField(child=serializers.CharField(), help_text="the figures that miss their target")


class DayFiguresSerializer(serializers.Serializer):
    offered = serializers.IntegerField()
    answered = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    service_level = serializers.FloatField(**_rate)
    asa_seconds = serializers.FloatField(**_seconds)
    aht_seconds = serializers.FloatField(**_seconds)
    abandon_rate = serializers.FloatField(**_rate)
    occupancy = serializers.FloatField(**_rate)


class DayReportSerializer(DayFiguresSerializer):
    satisfaction = serializers.FloatField(allow_null=True)
    calls_per_hour = serializers.ListField(child=serializers.IntegerField())


class ShiftReportSerializer(DayFiguresSerializer):
    name = serializers.CharField()
    starts = serializers.DateTimeField()
    ends = serializers.DateTimeField()


class DailyReportSerializer(serializers.Serializer):
    date = serializers.DateField()
    day = DayReportSerializer()
    shifts = ShiftReportSerializer(many=True)


class EventOutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["applied", "duplicate", "rejected"])
    event_id = serializers.IntegerField(help_text="the stored event (every event is kept, refused ones too)")
    http_status = serializers.IntegerField(help_text="this event's own answer: 201, 200, 400 or 409")
    error = serializers.CharField(required=False, help_text="when rejected: the error code")
    message = serializers.CharField(required=False)
    fields = serializers.DictField(required=False, child=serializers.ListField(child=serializers.CharField()))


class EventBatchOutcomeSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = EventOutcomeSerializer(many=True)


class AbuseFlagSerializer(serializers.Serializer):
    """An abusive-call flag (floor/api/protection.py `flag_data`); the number masked."""

    id = serializers.IntegerField()
    call_id = serializers.CharField()
    caller_number = serializers.CharField(help_text="masked")
    agent = serializers.CharField(help_text="the agent's username")
    agent_name = serializers.CharField()
    kind = serializers.CharField(help_text="the flag's kind (see the request's `kind`)")
    kind_label = serializers.CharField(help_text="the kind, in the request's language")
    note = serializers.CharField(allow_blank=True)
    flagged_at = serializers.DateTimeField()
    warning_read_at = serializers.DateTimeField(allow_null=True, help_text="null until the warning is read")
    ended_at = serializers.DateTimeField(allow_null=True, help_text="null until the agent ends the call")
    blocked = serializers.BooleanField(help_text="a block of the caller from this flag is active (in lists)")


class CallerBlockSerializer(serializers.Serializer):
    """A caller block (floor/api/protection.py `block_data`)."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="masked")
    number_full = serializers.CharField(required=False, help_text="only with ?unmask=1 (access-logged)")
    reason = serializers.CharField()
    starts_at = serializers.DateTimeField()
    until = serializers.DateTimeField()
    active = serializers.BooleanField()
    flag = serializers.IntegerField(allow_null=True, help_text="the abuse flag it came from, if any")
    created_by = serializers.CharField(help_text="username")
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True, help_text="null while not ended early")
    ended_by = serializers.CharField(allow_null=True, help_text="username; null while not ended early")


class ZammadAnswerSerializer(serializers.Serializer):
    """Zammad's CTI answer: `{}`, or `{"action": "reject", "reason": "busy"}` for a blocked number's newCall."""

    action = serializers.CharField(required=False, help_text='"reject" for a blocked number\'s newCall; else absent')
    reason = serializers.CharField(required=False, help_text='"busy" with action reject; else absent')
