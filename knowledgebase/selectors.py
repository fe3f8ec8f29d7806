from django.db.models import QuerySet

from knowledgebase.models import Category


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    categories = Category.objects.all()
    return categories.filter(is_active=True) if active_only else categories
