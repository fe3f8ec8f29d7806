from django.urls import path

from inquiries.api import views

urlpatterns = [
    path("calls/", views.CallListCreateApi.as_view(), name="api-calls"),
    path("calls/<int:pk>/", views.CallDetailApi.as_view(), name="api-call-detail"),
    path("callers/<str:number>/history/", views.CallerHistoryApi.as_view(), name="api-caller-history"),
    path("queue/calls/<str:call_id>/caller/", views.QueueCallCallerApi.as_view(), name="api-queue-call-caller"),
]
