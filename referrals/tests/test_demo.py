import pytest
from django.contrib.auth import get_user_model

from callcenter.demo import demo_logins, seed_all
from callcenter.permissions import can_use_partner_desk, partner_service_ids
from referrals.models import Open311ApiKey, Service


@pytest.mark.django_db
def test_seed_is_idempotent_and_makes_the_partner_desks(reference_data):
    seed_all()
    counts = (Service.objects.count(), get_user_model().objects.count(), Open311ApiKey.objects.count())
    seed_all()
    assert (Service.objects.count(), get_user_model().objects.count(), Open311ApiKey.objects.count()) == counts
    slugs = set(Service.objects.values_list("slug", flat=True))
    assert {"dasan-plaza-legal", "waterworks", "transit-complaints", "dementia-support", "sh-housing"} <= slugs
    assert {"police-112", "fire-119"} <= slugs
    legal1 = get_user_model().objects.get(username="legal1")
    assert can_use_partner_desk(legal1)
    assert partner_service_ids(legal1) == {Service.objects.get(slug="dasan-plaza-legal").pk}
    assert Service.objects.get(slug="waterworks").members.filter(username="water1").exists()
    assert legal1.check_password({u: p for u, p, _ in demo_logins()}["legal1"])
    assert ("water1", "dasan-water1", "partner") in demo_logins()
