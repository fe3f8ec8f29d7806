from django.urls import path

from floor.api import cti, protection, roster, zammad

urlpatterns = [
    # the phone queue, agents' states and the wallboard (floor/api/cti.py)
    path("cti/events/", cti.CtiEventsApi.as_view(), name="api-cti-events"),
    # Zammad's generic CTI push API (floor/zammad.py): the token in the URL, or in the header
    path("cti/zammad/<str:token>/", zammad.ZammadCtiApi.as_view(), name="api-cti-zammad"),
    path("cti/zammad/", zammad.ZammadCtiHeaderApi.as_view(), name="api-cti-zammad-header"),
    path("agent/status/", cti.AgentStatusApi.as_view(), name="api-agent-status"),
    path("agent/state/", cti.AgentStateApi.as_view(), name="api-agent-state"),
    path("agent/shift/", cti.AgentShiftApi.as_view(), name="api-agent-shift"),
    path("wallboard/stats/", cti.WallboardStatsApi.as_view(), name="api-wallboard-stats"),
    path("wallboard/daily/", cti.WallboardDailyApi.as_view(), name="api-wallboard-daily"),
    # agent protection: abusive-call flags and caller blocks (floor/api/protection.py)
    path("abuse-flags/", protection.AbuseFlagListCreateApi.as_view(), name="api-abuse-flags"),
    path(
        "abuse-flags/<str:pk>/warning-read/",
        protection.AbuseFlagStepApi.as_view(step="warning_read"),
        name="api-abuse-flag-warning-read",
    ),
    path(
        "abuse-flags/<str:pk>/end-call/",
        protection.AbuseFlagStepApi.as_view(step="end_call"),
        name="api-abuse-flag-end-call",
    ),
    # the roster's week grid (floor/api/roster.py)
    path("roster/", roster.RosterWeekApi.as_view(), name="api-roster"),
    path("roster/cells/", roster.RosterCellApi.as_view(), name="api-roster-cells"),
    path("roster/copy-week/", roster.RosterCopyApi.as_view(), name="api-roster-copy-week"),
    path("roster/fill/", roster.RosterFillApi.as_view(), name="api-roster-fill"),
    path("caller-blocks/", protection.CallerBlockListCreateApi.as_view(), name="api-caller-blocks"),
    path("caller-blocks/<str:pk>/", protection.CallerBlockDetailApi.as_view(), name="api-caller-block"),
]
