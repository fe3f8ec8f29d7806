from django.urls import include, path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("referrals/", views.overview, name="overview"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("open311/v2/", include("referrals.open311.urls")),
]
