"""Who is asking: API tokens (remembered briefly) and the websockets' session.

`SocketSessionAuth` (bottom) signs websockets in from the console's session
cookie, as Channels' AuthMiddlewareStack does, without wrapping every send.

API authentication: DRF's token authentication, with each token remembered briefly.

The phone system and other API clients send `Authorization: Token <key>` with
every request. Looking the token and its user up cost a logged call its most
expensive query (bench/calls.py), so each process keeps what it found for
`TOKEN_CACHE_SECONDS`:

- a token deleted or replaced, or its user saved (deactivated, password or
  groups changed) or deleted, is forgotten in this process at once (the signal
  declaration's clear_on, callcenter/caches.py), so the next request asks the database again;
- other processes (daphne workers) notice within TOKEN_CACHE_SECONDS. That is
  the trade-off, chosen on purpose: a revoked token may be accepted for at most
  that many seconds by another worker. `TOKEN_CACHE_SECONDS=0` turns the cache
  off (every request reads the token and user rows, as DRF does).

Only successes are kept: an unknown or inactive token is asked about every time,
so creating a token works at once everywhere. Each request gets its own copy of
the user object, so per-request attributes never leak from one request to the next.
"""

from __future__ import annotations

import copy
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from channels.auth import get_user
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from rest_framework.authentication import TokenAuthentication

from callcenter import caches
from callcenter.realtime.messages import socket_database

# At most this many tokens are kept; a full cache is emptied (tokens are few: the
# phone system, integrations, a handful of scripts).
MAX_CACHED_TOKENS = 1000


def cache_seconds() -> float:
    return float(getattr(settings, "TOKEN_CACHE_SECONDS", 0))


_tokens = caches.declare(
    "tokens",
    seconds=cache_seconds,
    max_entries=MAX_CACHED_TOKENS,
    clear_on=[
        (post_save, "authtoken.Token"),
        (post_delete, "authtoken.Token"),
        (post_save, settings.AUTH_USER_MODEL),
        (post_delete, settings.AUTH_USER_MODEL),
    ],
)


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's TokenAuthentication, cached per process."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # raises for an unknown or inactive token, which is never kept
        user, token = _tokens.get(key, lambda: super(CachedTokenAuthentication, self).authenticate_credentials(key))
        return copy.copy(user), token


class SocketSessionAuth:
    """ASGI middleware: `scope["user"]` for a websocket, from the session cookie.

    Channels' AuthMiddlewareStack does the same and also wraps the socket's
    `send` so that a changed session is saved with an HTTP response. A socket
    here never changes the session (signing in and out are pages), and that
    wrapper ran on every frame of every push: about a seventh of the fan-out's
    time at 500 wallboards (docs/BENCHMARKS.md, wallboard round 4). So this
    reads the session once, at connect, and passes `send` through untouched.
    The session and user are those Django's own middleware would find:
    an expired or tampered session, or a changed password, gives AnonymousUser.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        header = "; ".join(value.decode("latin1") for name, value in scope.get("headers", ()) if name == b"cookie")
        cookies = parse_cookie(header)
        scope = dict(scope, cookies=cookies, session=self.session_store(cookies.get(settings.SESSION_COOKIE_NAME)))
        scope["user"] = await socket_database(get_user.func)(scope)  # in the pool: realtime.messages
        return await self.inner(scope, receive, send)


def _origin(scheme: str, netloc: str) -> str:
    """scheme://host[:port], lower case, without the scheme's default port."""
    netloc = netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return f"{scheme}://{netloc}"


def socket_origin_allowed(scope: dict) -> bool:
    """Is the socket's Origin the console's own (scheme, host and port), or trusted?

    The rule of Django's CSRF origin check: the page that opens the socket was
    served from `https://<Host>` when the socket is secure (wss, a proxy's
    `X-Forwarded-Proto: https` with BEHIND_PROXY, or SECURE_SSL_REDIRECT: every page
    is then HTTPS), else `http://<Host>`; the Host must be in ALLOWED_HOSTS. An
    origin in CSRF_TRUSTED_ORIGINS is accepted as it is.
    """
    headers = {name: value.decode("latin1") for name, value in scope.get("headers", ())}
    origin = headers.get(b"origin", "").strip()
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    origin = _origin(parts.scheme, parts.netloc)
    if origin in {_origin(*trusted.split("://", 1)) for trusted in settings.CSRF_TRUSTED_ORIGINS if "://" in trusted}:
        return True
    host = headers.get(b"host", "").strip()
    hostname, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not hostname or not validate_host(hostname, allowed_hosts):
        return False
    secure = scope.get("scheme") in ("wss", "https") or settings.SECURE_SSL_REDIRECT
    if not secure and settings.SECURE_PROXY_SSL_HEADER:
        name, value = settings.SECURE_PROXY_SSL_HEADER
        secure = headers.get(name.removeprefix("HTTP_").lower().replace("_", "-").encode(), "") == value
    return origin == _origin("https" if secure else "http", host)


class SameOriginValidator:
    """ASGI middleware: a websocket whose Origin is not the console's own is refused
    before the handshake (see `socket_origin_allowed`). Channels'
    AllowedHostsOriginValidator compares the host only, not the scheme or the port."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not socket_origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)
