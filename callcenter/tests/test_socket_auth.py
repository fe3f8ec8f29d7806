"""The websockets through the whole ASGI stack: origin check, session cookie, roles.

The consumers' own tests put a user in the scope; these sign in the way a
browser does, with the console's session cookie (callcenter.authentication.SocketSessionAuth).
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from callcenter.asgi import application
from callcenter.permissions import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")  # the origin check compares the Origin with the socket's own host


@database_sync_to_async
def session_cookie(user, *, password_changed: bool = False) -> bytes:
    client = Client()
    client.force_login(user)
    if password_changed:  # the session's hash no longer matches: Django signs the user out
        user.set_password("a-new-password-1")
        user.save()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def socket(path: str, *headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[HOST, *headers])


async def test_a_signed_in_supervisor_gets_the_snapshot(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_cookie")
    communicator = socket("/ws/wallboard/", ORIGIN, (b"cookie", await session_cookie(supervisor)))
    connected, _ = await communicator.connect()
    assert connected
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "wallboard.snapshot"
    assert "calls_waiting" in message["stats"]
    await communicator.disconnect()


async def test_the_cookie_is_found_among_others_and_in_a_second_header(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_cookie2")
    cookie = await session_cookie(supervisor)
    communicator = socket("/ws/wallboard/", ORIGIN, (b"cookie", b"theme=dark; lang=ko"), (b"cookie", cookie))
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "wallboard.snapshot"
    await communicator.disconnect()


@pytest.mark.parametrize("case", ["agent", "no cookie", "unknown session", "password changed"])
async def test_everyone_else_is_closed_with_4403(make_user, case):
    role = Role.AGENT if case == "agent" else Role.SUPERVISOR
    user = await database_sync_to_async(make_user)(role, username=f"cookie_{case.replace(' ', '_')}")
    headers = [ORIGIN]
    if case in ("agent", "password changed"):
        headers.append((b"cookie", await session_cookie(user, password_changed=case == "password changed")))
    elif case == "unknown session":
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}=not-a-session-key".encode()))
    communicator = socket("/ws/wallboard/", *headers)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused_before_the_handshake(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_origin")
    cookie = await session_cookie(supervisor)
    communicator = socket("/ws/wallboard/", (b"origin", b"https://evil.example"), (b"cookie", cookie))
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.parametrize("path", ["/ws/wallboard/", "/ws/agent/"])
async def test_a_socket_is_served_while_the_shared_thread_is_busy(make_user, path):
    """A socket's session, groups and snapshot are read in the loop's pool, not in asgiref's
    one shared thread: a process that takes over another's floor after a crash answers its
    consoles while that thread computes a push (callcenter.realtime.messages.socket_database)."""
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_busy")
    cookie = await session_cookie(supervisor)
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)(10))
    await asyncio.sleep(0.05)  # the shared thread now waits for `release`
    try:
        communicator = socket(path, ORIGIN, (b"cookie", cookie))

        async def dump():
            await asyncio.sleep(3)
            for t in asyncio.all_tasks():
                t.print_stack()

        connected, _ = await communicator.connect(timeout=5)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"].endswith(".snapshot")
        assert not busy.done()  # served while the shared thread was still held
    finally:
        release.set()
        await busy
    await communicator.disconnect()
