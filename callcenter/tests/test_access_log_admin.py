import pytest

from callcenter.models import AccessLog
from callcenter.services import access_log_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(agent):
    return access_log_record(user=agent, action="view", subject="caller:01012345678", target="history")


def test_admin_lists_and_filters_the_log(client, admin_user, entry):
    client.force_login(admin_user)
    response = client.get("/admin/callcenter/accesslog/", {"action__exact": "view"})
    assert response.status_code == 200
    assert "caller:01012345678" in response.content.decode()
    found = client.get("/admin/callcenter/accesslog/", {"q": "01012345678"})
    assert "caller:01012345678" in found.content.decode()


def test_nobody_can_change_or_delete_it_from_the_app(client, admin_user, entry):
    client.force_login(admin_user)
    change = client.post(f"/admin/callcenter/accesslog/{entry.pk}/change/", {"reason": "edited"})
    delete = client.post(f"/admin/callcenter/accesslog/{entry.pk}/delete/", {"post": "yes"})
    add = client.get("/admin/callcenter/accesslog/add/")

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == ""
    assert AccessLog.objects.count() == 1


def test_agents_cannot_open_the_log(client, agent, entry):
    client.force_login(agent)
    response = client.get("/admin/callcenter/accesslog/")
    assert response.status_code == 302  # to the admin login: agents are not staff
