"""Request rates: how often an API client may ask, per token, key or address.

DRF's throttles, configured in settings (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`,
from `API_TOKEN_RATE`, `OPEN311_KEY_RATE`, `OPEN311_POST_RATE`):

- `token`: every DRF request signed with an API token (the phone system, scripts,
  integrations), counted per token. Signed-in pages are not counted: they have
  a person behind them and the login lockout (django-axes) in front.
- `open311_key`: every Open311 request that names an `api_key`, per key.
- `open311_post`: Open311 `POST requests` per client address, whatever key it
  names (so guessing keys is slow too).

Counts live in Django's default cache, per server process (the local-memory
cache): with N daphne processes a client may get up to N times the rate. A
refused request gets 429 with `Retry-After` and the error shape of its API.
A rate of "off" switches that throttle off. The cache keys hold a sha256 of
the ident (a key or an address is client input: no control character, space
or length reaches the cache backend).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from callcenter.services import client_address


class _Throttle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rate = super().get_rate()
        return None if rate in (None, "", "off") else rate

    def cache_key(self, ident: object) -> str:
        """The one place a key is built: the ident hashed, so any input is a safe cache key."""
        digest = hashlib.sha256(str(ident).encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}

    def get_ident(self, request: HttpRequest) -> str:
        # the address the rest of the console records (callcenter.services.client_address)
        return client_address(request=getattr(request, "_request", request)) or "unknown"


class TokenRateThrottle(_Throttle):
    """DRF requests authenticated by an API token, counted per token."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, Token):
            return None
        return self.cache_key(token.pk)


class Open311KeyThrottle(_Throttle):
    """Open311 requests that name an api_key (form body or query string), per key."""

    scope = "open311_key"

    def get_cache_key(self, request: HttpRequest, view: Any) -> str | None:
        key = (request.POST.get("api_key") if request.method == "POST" else "") or request.GET.get("api_key", "")
        key = key.strip()
        if not key:
            return None
        return self.cache_key(key)


class Open311PostThrottle(_Throttle):
    """Open311 `POST requests`, per client address."""

    scope = "open311_post"

    def get_cache_key(self, request: HttpRequest, view: Any) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_key(self.get_ident(request))


Refusal = Callable[..., HttpResponse]


def throttled(*throttle_classes: type[SimpleRateThrottle], refuse: Refusal) -> Callable:
    """DRF throttles for a plain Django view (Open311 is not a DRF API).

    `refuse(request, *args, **kwargs)` builds the view's own error answer (its
    format, its shape) with status 429; this adds `Retry-After`.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            waits = []
            for throttle_class in throttle_classes:
                throttle = throttle_class()
                if not throttle.allow_request(request, view):
                    waits.append(throttle.wait() or 1)
            if waits:
                response = refuse(request, *args, **kwargs)
                response["Retry-After"] = str(max(1, math.ceil(max(waits))))
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
