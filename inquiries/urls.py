from django.urls import path

from inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("abuse/", views.abuse_flags, name="abuse_flags"),
]
