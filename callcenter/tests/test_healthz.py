import pytest

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_login_and_reports_both_services(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert (data["database"], data["channel_layer"], data["status"]) == ("up", "up", "ok")
    assert set(data["realtime"]) == {"sent", "failed", "coalesced"}


def test_healthz_is_503_when_the_channel_layer_is_down(client, monkeypatch):
    from callcenter import health

    async def down(timeout=2.0):
        return False

    monkeypatch.setattr(health, "channel_layer_ok", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "down"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from callcenter import health

    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
