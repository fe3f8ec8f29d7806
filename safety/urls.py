from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("safety/", views.case_list, name="cases"),
    path("safety/cases/new/", views.case_new, name="case-new"),
    path("safety/cases/<int:pk>/", views.case_detail, name="case"),
    path("safety/registrations/", views.registration_list, name="registrations"),
    path("safety/registrations/<int:pk>/", views.registration_detail, name="registration"),
]
