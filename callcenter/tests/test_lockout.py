"""Signing in under attack: lockout per account and per address (django-axes),
the console's page and Django admin's, an admin's unlock, and the phone system's
account, which has no password sign-in at all."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.utils import translation

from callcenter.permissions import Role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client: Client, username: str, password: str, *, path: str = LOGIN, address: str = "10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(AXES_FAILURE_LIMIT=5)
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, make_user):
    make_user(Role.AGENT, username="jiwoo", password="right-password-1")
    for _ in range(4):
        answer = sign_in(client, "jiwoo", "wrong")
        assert answer.status_code == 200  # the form again, with its error
    fifth = sign_in(client, "jiwoo", "wrong")
    assert fifth.status_code == 429

    # the right password no longer works, from this address or any other
    for address in ("10.0.0.1", "10.9.9.9"):
        answer = sign_in(Client(), "jiwoo", "right-password-1", address=address)
        assert answer.status_code == 429
        assert answer["Retry-After"] == "900"
        text = answer.content.decode()
        assert "로그인이 잠겼습니다" in text
        assert "15분" in text and "관리자" in text
        assert 'href="/accounts/login/"' in text  # a way back
    assert not signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=5)
def test_the_lockout_page_in_english(client, make_user):
    make_user(Role.AGENT, username="jiwoo", password="right-password-1")
    for _ in range(5):
        sign_in(client, "jiwoo", "wrong")
    client.cookies["django_language"] = "en"
    answer = sign_in(client, "jiwoo", "right-password-1")
    assert answer.status_code == 429
    text = answer.content.decode()
    assert "Sign-in locked" in text
    assert "locked after 5 failed sign-ins" in text and "Try again in 15 minutes" in text


@override_settings(AXES_FAILURE_LIMIT=5)
def test_a_few_failures_then_the_right_password_signs_in_and_forgets_them(client, make_user):
    make_user(Role.AGENT, username="jiwoo", password="right-password-1")
    for _ in range(4):
        sign_in(client, "jiwoo", "wrong")
    assert sign_in(client, "jiwoo", "right-password-1").status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.filter(username="jiwoo").exists()  # reset on success


@override_settings(AXES_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=12)
def test_an_address_is_locked_at_its_own_higher_limit(make_user):
    make_user(Role.AGENT, username="minji", password="right-password-2")
    # one address tries many accounts, each fewer times than an account's limit:
    # after 11 failures a colleague on the same address still signs in (a shared floor)
    for n in range(11):
        sign_in(Client(), f"guess{n}", "wrong", address="10.1.1.1")
    assert sign_in(Client(), "minji", "right-password-2", address="10.1.1.1").status_code == 302
    # (that success forgets the address's failures) 12 more lock the address
    for n in range(12):
        sign_in(Client(), f"guess{n}", "wrong", address="10.1.1.1")
    answer = sign_in(Client(), "minji", "right-password-2", address="10.1.1.1")
    assert answer.status_code == 429
    # the account itself is not locked: from another address it works
    assert sign_in(Client(), "minji", "right-password-2", address="10.2.2.2").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=5)
def test_django_admin_sign_in_is_locked_the_same_way(client, make_user):
    make_user(Role.ADMIN, username="boss", password="right-password-3", is_staff=True)
    for _ in range(5):
        sign_in(client, "boss", "wrong", path=ADMIN_LOGIN)
    answer = sign_in(Client(), "boss", "right-password-3", path=ADMIN_LOGIN)
    assert answer.status_code == 429
    assert 'href="/admin/login/"' in answer.content.decode()
    # and the console's page refuses the same account
    assert sign_in(Client(), "boss", "right-password-3").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=5)
def test_an_admin_unlocks_an_account_in_django_admin(make_user):
    make_user(Role.AGENT, username="jiwoo", password="right-password-1")
    boss = make_user(Role.ADMIN, username="boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        sign_in(Client(), "jiwoo", "wrong")
    assert sign_in(Client(), "jiwoo", "right-password-1").status_code == 429

    admin = Client()
    admin.force_login(boss)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "jiwoo" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="jiwoo")
    answer = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert answer.status_code == 302

    agent = Client()
    assert sign_in(agent, "jiwoo", "right-password-1").status_code == 302
    assert signed_in(agent)


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_the_phone_system_account_cannot_sign_in_with_its_password(client, make_user, path):
    make_user(Role.PHONE_SYSTEM, username="pbx", password="right-password-4", is_staff=True)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        answer = sign_in(client, "pbx", "right-password-4", path=path)
    assert answer.status_code == 200
    assert "works with its API token only" in answer.content.decode()
    assert not signed_in(client)


def test_the_phone_system_message_in_korean(client, make_user):
    make_user(Role.PHONE_SYSTEM, username="pbx", password="right-password-4")
    answer = sign_in(client, "pbx", "right-password-4")
    assert "API 토큰으로만" in answer.content.decode()
    assert not signed_in(client)
