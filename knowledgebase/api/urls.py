from django.urls import path

from knowledgebase.api import views

urlpatterns = [
    path("kb/search", views.FAQSearchApi.as_view(), name="api-kb-search"),
    path("kb/entries/<int:pk>", views.FAQEntryApi.as_view(), name="api-kb-entry"),
    path("kb/prices", views.ProducePriceApi.as_view(), name="api-kb-prices"),
    path("kb/searches/", views.SearchLogApi.as_view(), name="api-kb-searches"),
]
