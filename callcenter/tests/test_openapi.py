"""The OpenAPI document tells a client everything it may get back.

Walks every operation of /api/schema/: each documents its error answers (at
least one 4xx) and every answer with a body has a typed schema (not a bare
"any object"); errors point at the one `Error` component. And who may read it.
"""

from __future__ import annotations

import pytest
import yaml

from callcenter.permissions import Role

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client, agent) -> dict:
    client.force_login(agent)
    answer = client.get("/api/schema/")
    assert answer.status_code == 200
    return yaml.safe_load(answer.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def untyped(body_schema: dict, components: dict) -> bool:
    """A schema that says nothing: no $ref, no properties, no items, no type but object."""
    if not body_schema:
        return True
    if "$ref" in body_schema:
        name = body_schema["$ref"].rsplit("/", 1)[1]
        return untyped(components[name], components) if "$ref" in components[name] else False
    if "oneOf" in body_schema or "anyOf" in body_schema or "allOf" in body_schema:
        parts = body_schema.get("oneOf") or body_schema.get("anyOf") or body_schema.get("allOf")
        return any(untyped(part, components) for part in parts)
    if body_schema.get("type") == "array":
        return untyped(body_schema.get("items", {}), components)
    if body_schema.get("type") == "object":
        return not body_schema.get("properties")
    return "type" not in body_schema


def test_every_operation_documents_its_error_answers(schema):
    missing = [
        name for name, operation in operations(schema) if not any(c.startswith("4") for c in operation["responses"])
    ]
    assert missing == []


def test_every_answer_has_a_typed_body(schema):
    components = schema["components"]["schemas"]
    found = []
    for name, operation in operations(schema):
        for status, answer in operation["responses"].items():
            if status == "204":
                continue
            content = answer.get("content")
            if not content:
                found.append(f"{name} {status}")
                continue
            for body in content.values():
                if untyped(body.get("schema", {}), components):
                    found.append(f"{name} {status}")
    assert found == []


def test_errors_are_the_shared_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "message", "fields"}
    calls = schema["paths"]["/api/calls/"]["post"]["responses"]
    for status in ("400", "401", "403", "413", "429", "503"):
        assert calls[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "404" in schema["paths"]["/api/calls/{id}/"]["get"]["responses"]
    assert "404" not in schema["paths"]["/api/calls/"]["get"]["responses"]


def test_the_full_number_is_not_promised_in_every_answer(schema):
    unmasked = schema["components"]["schemas"]["CallUnmasked"]
    assert "caller_number_full" in unmasked["properties"]
    assert "caller_number_full" not in unmasked["required"]
    assert "caller_number" in unmasked["required"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_staff_read_the_schema_and_the_docs(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in page
    assert "cdn" not in page.lower() and "<script>" not in page and "<style>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("role", [Role.PHONE_SYSTEM, Role.PARTNER])
def test_the_phone_system_and_partners_may_not(client, make_user, role):
    client.force_login(make_user(role))
    for path in ("/api/schema/", "/api/docs/", "/api/docs/?script="):
        answer = client.get(path)
        assert answer.status_code == 403
        body = yaml.safe_load(answer.content)  # the schema view answers in its own format, same shape
        assert body["error"] == "forbidden" and body["message"]


def test_strangers_are_asked_to_sign_in(client):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/")["Location"].startswith("/accounts/login/?next=/api/docs/")
