from django.urls import path

from floor import views

app_name = "floor"
urlpatterns = [
    path("wallboard/", views.wallboard, name="wallboard"),
    path("abuse/", views.abuse_flags, name="abuse_flags"),
    path("roster/", views.roster, name="roster"),
]
