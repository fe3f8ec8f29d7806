import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from inquiries.models import Call, Caller
from knowledgebase.models import Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "water"
    name_ko = "수도"
    name_en = "Water supply"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class CallerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caller
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"0101234{n:04d}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    caller = factory.SubFactory(CallerFactory)
    agent = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    summary = "수도요금 문의"
    started_at = factory.LazyFunction(timezone.now)
