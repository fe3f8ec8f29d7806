from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report, name="report"),
    path("reports/export.csv", views.report_export_csv, name="export_csv"),
    path("reports/export.xlsx", views.report_export_xlsx, name="export_xlsx"),
]
