"""Django admin: extensions are edited there and saved by the service; flags and
blocks are read-only there (and their numbers stay masked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.permissions import Role
from floor import protection_services
from floor.models import CallerBlock, PhoneExtension

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(make_user):
    return make_user(Role.ADMIN, username="root_admin", is_staff=True, is_superuser=True)


def test_an_admin_gives_an_agent_an_extension(client, root, agent):
    client.force_login(root)
    response = client.post("/admin/floor/phoneextension/add/", {"agent": agent.pk, "extension": "2041"})
    assert response.status_code == 302
    assert PhoneExtension.objects.get().agent == agent


def test_the_admin_form_says_what_is_wrong(client, root, agent, other_agent, make_user):
    client.force_login(root)
    protection_services.agent_extension_set(agent=agent, extension="2041")
    partner = make_user(Role.PARTNER, username="desk_p")
    taken = client.post("/admin/floor/phoneextension/add/", {"agent": other_agent.pk, "extension": "2041"})
    not_agent = client.post("/admin/floor/phoneextension/add/", {"agent": partner.pk, "extension": "2050"})
    bad = client.post("/admin/floor/phoneextension/add/", {"agent": other_agent.pk, "extension": "20 41"})
    for response in (taken, not_agent, bad):
        assert response.status_code == 200 and "errornote" in response.content.decode()
    assert list(PhoneExtension.objects.values_list("extension", flat=True)) == ["2041"]


def test_moving_an_extension_to_another_agent(client, root, agent, other_agent):
    client.force_login(root)
    record = protection_services.agent_extension_set(agent=agent, extension="2041")
    response = client.post(
        f"/admin/floor/phoneextension/{record.pk}/change/", {"agent": other_agent.pk, "extension": "2041"}
    )
    assert response.status_code == 302
    assert PhoneExtension.objects.get().agent == other_agent


def test_blocks_are_read_only_and_masked_in_admin(client, root, supervisor):
    block = protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    client.force_login(root)
    listing = client.get("/admin/floor/callerblock/").content.decode()
    assert "010-****-6789" in listing and "01023456789" not in listing
    assert client.post(f"/admin/floor/callerblock/{block.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CallerBlock.objects.filter(pk=block.pk).exists()


def test_a_zammad_events_number_is_masked_in_admin_and_its_reveal_names_the_caller(client, root, phone_system):
    from callcenter.models import AccessLog
    from floor import zammad
    from floor.models import PhoneEvent

    body = {"event": "newCall", "from": "821023456789", "to": "120", "direction": "in", "callId": "z-admin"}
    zammad.zammad_event_receive(data=body, sender=phone_system)
    event = PhoneEvent.objects.get()
    client.force_login(root)
    page = client.get(f"/admin/floor/phoneevent/{event.pk}/change/").content.decode()
    assert "821023456789" not in page and "010-****-6789" in page
    AccessLog.objects.all().delete()
    assert client.get(f"/admin/floor/phoneevent/{event.pk}/reveal/").status_code == 200
    assert AccessLog.objects.filter(subject="caller:01023456789").exists()
