"""An open socket ends with its session: signing out closes that session's
sockets, deactivating (or deleting) a user closes all of theirs (4401, then the
page goes to the sign-in page); the Origin check compares scheme, host and
port; sessions last a shift."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from callcenter.asgi import application
from callcenter.permissions import Role
from callcenter.realtime import SESSION_ENDED_CODE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

HOST = (b"host", b"localhost")
ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cookie_of(client: Client) -> tuple[bytes, bytes]:
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


async def open_socket(client: Client, path: str = "/ws/wallboard/", *headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=[HOST, ORIGIN, cookie_of(client), *headers])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"].endswith(".snapshot")
    return communicator


async def assert_closed_for_sign_in(communicator: WebsocketCommunicator) -> None:
    assert await communicator.receive_json_from(timeout=5) == {"type": "session.ended"}
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": SESSION_ENDED_CODE}


async def test_signing_out_closes_that_sessions_sockets_only(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="board_owner")
    desk_pc, wall_pc = await signed_in(supervisor), await signed_in(supervisor)
    board = await open_socket(desk_pc)
    queue = await open_socket(desk_pc, "/ws/agent/")
    other = await open_socket(wall_pc)

    answer = await database_sync_to_async(desk_pc.post)("/accounts/logout/")
    assert answer.status_code == 302

    await assert_closed_for_sign_in(board)
    await assert_closed_for_sign_in(queue)
    assert await other.receive_nothing(timeout=0.3)  # the wall screen's session goes on
    await other.disconnect()


async def test_deactivating_a_user_closes_every_socket_of_theirs(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="leaving")
    colleague = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="staying")
    first, second = await open_socket(await signed_in(supervisor)), await open_socket(await signed_in(supervisor))
    unrelated = await open_socket(await signed_in(colleague))

    def deactivate():
        supervisor.is_active = False
        supervisor.save(update_fields=["is_active"])

    await database_sync_to_async(deactivate)()

    await assert_closed_for_sign_in(first)
    await assert_closed_for_sign_in(second)
    assert await unrelated.receive_nothing(timeout=0.3)
    await unrelated.disconnect()


async def test_deleting_a_user_closes_their_sockets(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="deleted")
    board = await open_socket(await signed_in(supervisor))
    await database_sync_to_async(get_user_model().objects.filter(pk=supervisor.pk).delete)()
    await assert_closed_for_sign_in(board)


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        (b"http://localhost", b"localhost", True),
        (b"http://localhost:8000", b"localhost:8000", True),
        (b"https://localhost", b"localhost", False),  # another scheme
        (b"http://localhost:8001", b"localhost:8000", False),  # another port
        (b"http://localhost:8000", b"localhost", False),
        (b"http://127.0.0.1", b"localhost", False),  # another host, though allowed
        (b"http://evil.example", b"evil.example", False),  # not in ALLOWED_HOSTS
        (b"null", b"localhost", False),
    ],
)
async def test_the_origin_must_be_the_consoles_own(make_user, origin, host, accepted):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="origin_check")
    client = await signed_in(supervisor)
    communicator = WebsocketCommunicator(
        application, "/ws/wallboard/", headers=[(b"host", host), (b"origin", origin), cookie_of(client)]
    )
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


@override_settings(SECURE_SSL_REDIRECT=True)
@pytest.mark.parametrize(("origin", "accepted"), [(b"https://localhost", True), (b"http://localhost", False)])
async def test_behind_https_only_an_https_origin_is_accepted(make_user, origin, accepted):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="origin_tls")
    client = await signed_in(supervisor)
    communicator = WebsocketCommunicator(
        application, "/ws/wallboard/", headers=[HOST, (b"origin", origin), cookie_of(client)]
    )
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


@override_settings(CSRF_TRUSTED_ORIGINS=["https://console.seoul.example"])
async def test_a_trusted_origin_is_accepted(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="origin_trusted")
    client = await signed_in(supervisor)
    communicator = WebsocketCommunicator(
        application, "/ws/wallboard/", headers=[HOST, (b"origin", b"https://console.seoul.example"), cookie_of(client)]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()


async def test_a_session_lasts_a_shift(make_user):
    agent = await database_sync_to_async(make_user)(Role.AGENT, username="shift_length", password="pw-shift-1")

    def sign_in() -> int:
        client = Client()
        client.post("/accounts/login/", {"username": "shift_length", "password": "pw-shift-1"})
        return client.session.get_expiry_age()

    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert await database_sync_to_async(sign_in)() == 12 * 3600
    assert agent.is_active
