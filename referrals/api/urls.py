from django.urls import path

from referrals.api import views

urlpatterns = [
    path("services/", views.ServiceListApi.as_view(), name="api-services"),
    path("referrals/", views.ReferralListCreateApi.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", views.ReferralDetailApi.as_view(), name="api-referral-detail"),
    path("referrals/<int:pk>/transition/", views.ReferralTransitionApi.as_view(), name="api-referral-transition"),
    path("followups/", views.FollowUpListApi.as_view(), name="api-followups"),
    path("followups/<int:pk>/complete/", views.FollowUpCompleteApi.as_view(), name="api-followup-complete"),
]
