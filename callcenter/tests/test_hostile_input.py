"""Every operation, every field, every hostile value: generated from the OpenAPI
document and the URL conf (callcenter/testing/hostile.py). No 500, the shared
error shape on the APIs with nothing quoted raw, and nothing saved on a 400."""

import pytest

from callcenter.testing.hostile import (
    HOSTILE_TEXT,
    World,
    all_operations,
    hostile_values,
    send,
    valid_body,
    valid_form,
)

pytestmark = pytest.mark.django_db

OPERATIONS = all_operations()


@pytest.fixture
def world(make_user):
    return World.make(make_user)


def test_the_operations_cover_the_api_and_open311():
    names = {operation.name for operation in OPERATIONS}
    assert {
        "POST /api/calls/",
        "POST /api/cti/events/",
        "POST /api/referrals/",
        "GET /open311/v2/requests.json",
    } <= names
    assert "POST /open311/v2/requests.json" in names
    assert sum(len(operation.body) for operation in OPERATIONS) > 40  # body fields found in the document


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
def test_every_field_with_every_hostile_value(world, operation):
    failures = []
    body = valid_body(operation, world) if operation.body else None

    def check(what, **request):
        problem = send(world, operation, **request)
        if problem:
            failures.append(f"{what}: {problem}")

    for name in operation.query:
        for value in hostile_values(None, name=name):
            check(f"?{name}={value[:20]!r}", query={name: value}, body=body)
    for name, prop in operation.body.items():
        for value in hostile_values(prop, name=name):
            check(f"body {name}={str(value)[:20]!r}", body={**body, name: value})
        check(f"body without {name}", body={key: v for key, v in body.items() if key != name})
    for name in operation.path_params:
        for value in HOSTILE_TEXT:
            if value.strip():
                check(f"path {name}={value[:20]!r}", path_params={name: value}, body=body)
    for name in operation.form:
        for value in hostile_values(None, name=name):
            check(f"form {name}={value[:20]!r}", form={**valid_form(world), name: value})
    if operation.body:
        for whole in ["not an object", 12, [], [None], {"": ""}]:
            check(f"body {whole!r}", body=whole)

    assert not failures, f"{len(failures)} requests went wrong:\n" + "\n".join(failures[:40])
