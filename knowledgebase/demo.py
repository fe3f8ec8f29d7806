"""Demo data for the knowledge base (loaded by `manage.py seed_demo`)."""

from knowledgebase.categories import category_seed
from knowledgebase.models import Category


def seed() -> list[str]:
    created = category_seed(Category)
    return [f"categories: {created} created" if created else "categories: up to date"]
