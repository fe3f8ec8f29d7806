from django.urls import path

from inquiries.api import cti, views

urlpatterns = [
    path("calls/", views.CallListCreateApi.as_view(), name="api-calls"),
    path("calls/<int:pk>/", views.CallDetailApi.as_view(), name="api-call-detail"),
    path("callers/<str:number>/history/", views.CallerHistoryApi.as_view(), name="api-caller-history"),
    path("queue/calls/<str:call_id>/caller/", views.QueueCallCallerApi.as_view(), name="api-queue-call-caller"),
    # the phone queue, agents' states and the wallboard (inquiries/api/cti.py)
    path("cti/events/", cti.CtiEventsApi.as_view(), name="api-cti-events"),
    path("agent/status/", cti.AgentStatusApi.as_view(), name="api-agent-status"),
    path("agent/state/", cti.AgentStateApi.as_view(), name="api-agent-state"),
    path("agent/shift/", cti.AgentShiftApi.as_view(), name="api-agent-shift"),
    path("wallboard/stats/", cti.WallboardStatsApi.as_view(), name="api-wallboard-stats"),
    path("wallboard/daily/", cti.WallboardDailyApi.as_view(), name="api-wallboard-daily"),
]
