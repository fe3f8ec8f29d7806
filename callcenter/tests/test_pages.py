import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_page_needs_a_login(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_in_korean_and_english(client):
    korean = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "다산 콘솔 로그인" in korean
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/").content.decode()
    assert "Sign in to Dasan Console" in english


def test_wrong_password_shows_a_message(client, agent):
    response = client.post("/accounts/login/", {"username": agent.username, "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_agent_lands_on_the_console(client, agent):
    client.force_login(agent)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/console/"
    assert "통화 기록" in response.content.decode()


def test_user_without_role_gets_a_clear_page(client, make_user):
    client.force_login(make_user(None))
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert "역할" in response.content.decode()


def test_partner_may_not_open_the_console(client, make_user):
    from callcenter.permissions import Role

    client.force_login(make_user(Role.PARTNER))
    response = client.get("/console/")
    assert response.status_code == 403
    assert "처음 화면으로" in response.content.decode()  # a way back


def test_unknown_page_is_a_friendly_404_with_a_way_back(client, agent):
    client.force_login(agent)
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert 'href="/"' in response.content.decode()


def test_logout(client, agent):
    client.force_login(agent)
    client.post("/accounts/logout/")
    assert client.get("/console/").status_code == 302


def test_seed_demo_is_idempotent(capsys):
    from django.contrib.auth import get_user_model

    from inquiries.models import Call

    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (get_user_model().objects.count(), Call.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out

    assert (get_user_model().objects.count(), Call.objects.count()) == counts
    assert "agent1" in first and "dasan-agent1" in first
    assert "created" not in second.split("Demo logins")[0]


def test_drf_create_token_works_for_api_clients(agent, capsys):
    call_command("drf_create_token", agent.username)
    assert "Generated token" in capsys.readouterr().out


def test_the_phone_system_account_lands_on_a_page_that_says_what_it_is(client, phone_system):
    client.force_login(phone_system)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/phone-system/"
    assert response.status_code == 200
    body = response.content.decode()
    assert "전화 시스템 계정" in body and "/api/cti/events/" in body
    assert "역할이 없습니다" not in body


def test_the_phone_system_page_is_only_the_phone_systems(client, agent):
    client.force_login(agent)
    assert client.get("/phone-system/").status_code == 403
