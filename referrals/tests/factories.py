from datetime import timedelta

import factory
from django.utils import timezone

from referrals.models import Open311ApiKey, Referral, Service


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"service-{n}")
    name_ko = factory.Sequence(lambda n: f"서비스 {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral straight in the database (any status), for reads and the transition table.
    Creating one the way the product does goes through services.referral_create."""

    class Meta:
        model = Referral

    source = Referral.Source.CALL
    call = factory.SubFactory("inquiries.tests.factories.CallFactory")
    service = factory.SubFactory(ServiceFactory)
    reason = "무료법률상담 연결 요청"
    consent = True
    contact_number = factory.LazyAttribute(lambda o: o.call.caller.number if o.call else "")
    created_at = factory.LazyFunction(timezone.now)
    accept_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class Open311ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Open311ApiKey

    name = "Test client"
