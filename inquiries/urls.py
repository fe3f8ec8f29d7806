from django.urls import path

from inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("calls/", views.call_record, name="calls"),
    path("calls/export.csv", views.call_export_csv, name="calls_export"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
]
