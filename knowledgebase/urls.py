app_name = "knowledgebase"
urlpatterns: list = []
