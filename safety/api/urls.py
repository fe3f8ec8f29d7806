from django.urls import path

from safety.api import views

urlpatterns = [
    path("safety/cases/", views.CaseListCreateApi.as_view(), name="api-safety-cases"),
    path("safety/cases/<int:pk>/", views.CaseDetailApi.as_view(), name="api-safety-case"),
    path("safety/cases/<int:pk>/transition/", views.CaseTransitionApi.as_view(), name="api-safety-case-transition"),
    path("safety/cases/<int:pk>/sightings/", views.CaseSightingsApi.as_view(), name="api-safety-case-sightings"),
    path("safety/cases/<int:pk>/acknowledge/", views.CaseAcknowledgeApi.as_view(), name="api-safety-case-ack"),
    path("safety/cases/<int:pk>/photo/", views.CasePhotoApi.as_view(), name="api-safety-case-photo"),
    path("safety/search", views.SearchApi.as_view(), name="api-safety-search"),
    path("safety/registrations/", views.RegistrationCreateApi.as_view(), name="api-safety-registrations"),
    path("safety/registrations/<int:pk>/", views.RegistrationDetailApi.as_view(), name="api-safety-registration"),
    path(
        "safety/registrations/<int:pk>/photo/",
        views.RegistrationPhotoApi.as_view(),
        name="api-safety-registration-photo",
    ),
]
