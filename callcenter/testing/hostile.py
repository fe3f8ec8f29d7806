"""Hostile requests for every operation, generated from the OpenAPI document
and the URL conf (callcenter/tests/test_hostile_input.py, test_fuzz.py).

An `Operation` is one method on one path with the fields a client can send:
the OpenAPI document's query parameters and JSON body properties for the APIs;
for the URL conf's other routes (Open311, pages) the path's own parameters, a
query parameter, and Open311's documented fields. `send` makes one request as
a given user and returns what went wrong (a 500, an error body that is not the
shared shape or that quotes raw input, rows saved by a 400), or None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

#: strings every text field, query value and path segment is tried with
HOSTILE_TEXT = [
    "a\x00b",  # NUL
    "\ud800",  # a lone high surrogate
    "x\udfffy",  # a lone low surrogate
    "\x01\x07\x1b[31m\x7f",  # control characters, a terminal escape
    "\u202eمرحبا עברית\u202c",  # a right-to-left override, right-to-left scripts
    "x" * 10_240,  # 10 KB
    "😀👨‍👩‍👧🇰🇷",  # emoji, a joined family, a flag
    "' OR 1=1; DROP TABLE inquiries_call; --",
    "<script>alert(1)</script>{{7*7}}${7*7}",
    "../../../../etc/passwd%00",
    "",
]
#: impossible or absurd dates and times
HOSTILE_TIMES = [
    "0000-01-01T00:00:00+09:00",
    "0001-01-01T00:00:00+09:00",
    "2026-13-01T09:00:00+09:00",
    "2026-05-04T09:00:00+99:00",
    "9999-12-31T23:59:59-23:59",
    "0088-05-04T09:00:00+09:00",
    "2026-13-45",
]
#: values of the wrong type (JSON bodies only)
WRONG_TYPES: list[Any] = [1.9, 2**70, True, None, [], {"$gt": ""}]

#: Open311 GeoReport v2's documented fields (its views are not in the OpenAPI document)
OPEN311_QUERY = ["service_request_id", "service_code", "start_date", "end_date", "status", "api_key", "jurisdiction_id"]
OPEN311_FORM = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[x]",
]


@dataclass
class Operation:
    method: str
    path: str  # with {name} for path parameters
    role: str  # the user who may call it (World attribute)
    query: list[str] = field(default_factory=list)
    body: dict[str, dict] = field(default_factory=dict)  # JSON property -> its schema
    form: list[str] = field(default_factory=list)
    path_params: list[str] = field(default_factory=list)
    api: bool = True  # answers with the shared error shape

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


# --- the operations ---------------------------------------------------------------------
#: who calls each API (the role that may; the fuzz test also tries every other)
def _role_for(path: str) -> str:
    if path.startswith("/api/cti/"):
        return "phone_system"
    if path.startswith("/api/agent/"):
        return "agent"
    if path.startswith(("/api/wallboard/", "/api/followups/")):
        return "supervisor"
    if "/transition/" in path:
        return "partner"
    return "supervisor"


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in node:
            merged: dict = {}
            for part in node[combined]:
                merged.update(_resolve(schema, part))
            node = {**{k: v for k, v in node.items() if k != combined}, **merged}
    return node


def api_operations() -> list[Operation]:
    """Every operation of the OpenAPI document, with its query and body fields."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = spec.get("parameters", [])
            body_schema = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            properties = {}
            if body_schema:
                resolved = _resolve(schema, body_schema)
                properties = {
                    name: _resolve(schema, prop)
                    for name, prop in resolved.get("properties", {}).items()
                    if not prop.get("readOnly")
                }
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    role=_role_for(path),
                    query=[p["name"] for p in params if p["in"] == "query"],
                    path_params=[p["name"] for p in params if p["in"] == "path"],
                    body=properties,
                )
            )
    return operations


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|<(?:\w+:)?(?P<route>\w+)>")


def other_operations() -> list[Operation]:
    """The URL conf's routes outside the OpenAPI document (Open311, pages): GET
    with their path parameters and a query; Open311's requests also POST its form."""
    operations = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/", "static/")) or route in {"accounts/logout/", "i18n/setlang/"}:
            continue
        names: list[str] = []

        def placeholder(found: re.Match, names=names) -> str:
            name = found.group("name") or found.group("route")
            if name == "fmt":
                return "json"
            names.append(name)
            return "{" + name + "}"

        path = "/" + _GROUP.sub(placeholder, route).replace("^", "").replace("$", "").replace("\\.", ".")
        if path.endswith("{rest}"):
            path = path.replace("{rest}", "nothing-here.json")
            names.remove("rest")
        open311 = path.startswith("/open311/")
        operations.append(
            Operation(
                method="GET",
                path=path,
                role="agent",
                query=OPEN311_QUERY if open311 else ["q", "next"],
                path_params=names,
                api=open311,
            )
        )
        if path == "/open311/v2/requests.json":
            operations.append(Operation(method="POST", path=path, role="anonymous", form=OPEN311_FORM, api=True))
    return operations


def all_operations() -> list[Operation]:
    return api_operations() + other_operations()


# --- the world the requests run in -----------------------------------------------------------
@dataclass
class World:
    """Users of every role and one of each thing an id or a slug can name."""

    users: dict[str, Any]
    ids: dict[str, str]
    baseline: dict[str, int] = field(default_factory=dict)
    clients: dict[str, APIClient] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        """One client per role (a new one loads every middleware again: WhiteNoise
        scans the static files each time)."""
        if role not in self.clients:
            client = APIClient(raise_request_exception=True)
            if self.users[role] is not None:
                client.force_authenticate(self.users[role])
            self.clients[role] = client
        return self.clients[role]

    @classmethod
    def make(cls, make_user) -> World:
        from callcenter.permissions import Role
        from inquiries.tests.factories import CallerFactory, CallFactory
        from knowledgebase.models import Category
        from knowledgebase.tests.factories import FAQEntryFactory
        from referrals import services as referral_services
        from referrals.tests.factories import Open311ApiKeyFactory, ReferralFactory, ServiceFactory

        users = {
            "agent": make_user(Role.AGENT, username="h_agent"),
            "supervisor": make_user(Role.SUPERVISOR, username="h_super"),
            "admin": make_user(Role.ADMIN, username="h_admin", is_staff=True),
            "partner": make_user(Role.PARTNER, username="h_partner"),
            "phone_system": make_user(Role.PHONE_SYSTEM, username="h_pbx"),
            "anonymous": None,
        }
        category = Category.objects.get(slug="water")
        service = ServiceFactory(
            slug="h-water", name_ko="수도", name_en="Water", open311_published=True, service_code="h-leak"
        )
        service.members.add(users["partner"])
        call = CallFactory(agent=users["agent"], category=category, caller=CallerFactory(number="01055550100"))
        referral = ReferralFactory(service=service, created_by=users["agent"], call=call)
        completed = ReferralFactory(service=service, created_by=users["agent"], call=call)
        partner = users["partner"]
        referral_services.referral_transition(referral=completed, actor=partner, to="accepted")
        referral_services.referral_transition(
            referral=completed, actor=partner, to="scheduled", scheduled_for=timezone.now() + timedelta(days=1)
        )
        referral_services.referral_transition(referral=completed, actor=partner, to="completed", outcome="상담 완료")
        entry = FAQEntryFactory(category=category)
        key = Open311ApiKeyFactory()
        ids = {
            "call": str(call.pk),
            "referral": str(referral.pk),
            "followup": str(completed.followup.pk),
            "entry": str(entry.pk),
            "number": "010-5555-0100",
            "code": "h-leak",
            "request_id": str(referral.pk),
            "token": str(referral.token),
            "api_key": key.key,
            "service": "h-water",
        }
        return cls(users=users, ids=ids, baseline=row_counts())

    def path_value(self, operation: Operation, name: str) -> str:
        if name in ("id", "pk"):
            kind = (
                "followup"
                if "followups" in operation.path
                else "referral"
                if "referrals" in operation.path
                else "entry"
                if "/kb/" in operation.path
                else "call"
            )
            return self.ids[kind]
        return self.ids.get(name, "x")


def valid_body(operation: Operation, world: World) -> dict[str, Any]:
    """A body the operation would accept, so that one hostile field at a time
    reaches its own check and, where everything else is valid, the service."""
    now = timezone.now()
    path = operation.path
    if path == "/api/calls/":
        return {"caller_number": "010-1234-5678", "category": "water", "summary": "수돗물 녹물", "language": "ko"}
    if path == "/api/calls/{id}/":
        return {"summary": "수정된 요약", "resolution": "answered"}
    if path == "/api/cti/events/":
        return {
            "event": "call.offered",
            "call_id": "hostile-1",
            "at": (now - timedelta(minutes=1)).isoformat(),
            "caller_number": "010-2345-6789",
            "language": "ko",
            "queue": "general",
        }
    if path == "/api/referrals/":
        return {"call": int(world.ids["call"]), "service": "h-water", "reason": "상담 연결", "consent": True}
    if path.endswith("/transition/"):
        return {"to": "accepted", "note": "확인"}
    if path.endswith("/complete/"):
        return {"outcome": "solved", "note": "해결"}
    if path == "/api/agent/state/":
        return {"state": "available"}
    if path == "/api/agent/shift/":
        return {"action": "sign_in"}
    return {name: _example(prop) for name, prop in operation.body.items()}


def valid_form(world: World) -> dict[str, str]:
    return {
        "api_key": world.ids["api_key"],
        "service_code": "h-leak",
        "lat": "37.5665",
        "long": "126.9780",
        "description": "누수 신고",
    }


def _example(prop: dict) -> Any:
    if "enum" in prop:
        return next((value for value in prop["enum"] if value not in ("", None)), None)
    kind = prop.get("type")
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return "x"


def hostile_values(prop: dict | None, *, name: str = "") -> list[Any]:
    """What a field is tried with: every hostile string, impossible times for
    times and dates (and anything named like one), and for a JSON property
    values of the wrong type."""
    values: list[Any] = list(HOSTILE_TEXT)
    timely = (prop or {}).get("format") in ("date-time", "date") or "date" in name or name.endswith("_at")
    if timely or name in ("at", "scheduled_for"):
        values += HOSTILE_TIMES
    if prop is not None:
        values += WRONG_TYPES
    return values


# --- sending and judging --------------------------------------------------------------------
def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in _existing_tables()
    )


_EXISTING: set[str] = set()


def _existing_tables() -> set[str]:
    if not _EXISTING:
        _EXISTING.update(connection.introspection.table_names())
    return _EXISTING


def row_counts() -> dict[str, int]:
    """Rows of every table, in one query."""
    tables = _tables()
    quoted = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quoted(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


#: the one table a refused request writes: the phone system's events are
#: stored before anything else, refused ones too
WRITTEN_ON_400 = {"inquiries_phoneevent"}
#: never in an answer, raw
RAW_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\ud800-\udfff]")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _encode_path(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def send(
    world: World,
    operation: Operation,
    *,
    user: str | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
    form: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
) -> str | None:
    """One request, rolled back afterwards (the world stays as made); what went
    wrong, or None."""
    with transaction.atomic():
        problem = _send(world, operation, user, query, body, form, path_params)
        transaction.set_rollback(True)
    return problem


def _send(world, operation, user, query, body, form, path_params) -> str | None:
    client = world.client(user or operation.role)
    path = operation.path
    for name in operation.path_params:
        value = (path_params or {}).get(name, world.path_value(operation, name))
        path = path.replace("{" + name + "}", _encode_path(str(value)))
    if query:
        path += "?" + urlencode({k: str(v).encode("utf-8", "surrogatepass") for k, v in query.items()})
    try:
        if form is not None:
            encoded = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in form.items()})
            response = client.generic(operation.method, path, encoded, content_type="application/x-www-form-urlencoded")
        elif body is not None:
            response = client.generic(operation.method, path, json.dumps(body), content_type="application/json")
        else:
            response = client.generic(operation.method, path)
    except Exception as error:  # a 500 under the test client
        return f"{type(error).__name__}: {error}"[:300]
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if response.status_code >= 400 and operation.path.startswith("/api/"):
        try:
            data = json.loads(response.content.decode("utf-8"))
        except ValueError:
            return f"HTTP {response.status_code}: not JSON"
        # (a phone event's answer adds its status and id to the shared shape)
        if not isinstance(data, dict) or not {"error", "message", "fields"} <= set(data):
            return f"HTTP {response.status_code}: not the shared error shape: {str(data)[:200]}"
        if any(RAW_HOSTILE.search(text) for text in _strings(data)):
            return f"HTTP {response.status_code}: the error quotes raw input: {str(data)[:200]}"
    if response.status_code == 400:
        after = row_counts()
        changed = {t for t in after if after[t] != world.baseline[t] and t not in WRITTEN_ON_400}
        if changed:
            return f"HTTP 400 but rows were saved in {sorted(changed)}"
    return None
