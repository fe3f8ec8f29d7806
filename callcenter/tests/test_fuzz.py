"""Property-based requests (hypothesis) over every operation of the OpenAPI
document and the URL conf, as every role: whatever is sent, no 500, the shared
error shape on the APIs, nothing saved on a 400 (callcenter/testing/hostile.py).

In the suite a bounded, repeatable run (FUZZ_EXAMPLES per operation, 12 by
default, derandomized); `make fuzz` runs a long random one (FUZZ_EXAMPLES=400)."""

import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from callcenter.testing.hostile import (
    HOSTILE_TEXT,
    HOSTILE_TIMES,
    WRONG_TYPES,
    World,
    all_operations,
    send,
    valid_body,
    valid_form,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ
ROLES = ["agent", "supervisor", "admin", "partner", "phone_system", "anonymous"]

texts = st.one_of(st.sampled_from(HOSTILE_TEXT + HOSTILE_TIMES), st.text(max_size=40))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def _field_values(prop):
    """A property's value: often one of the hostile ones, else anything JSON can say."""
    choices = [texts, st.sampled_from(WRONG_TYPES), json_values]
    if "enum" in prop:
        choices.append(st.sampled_from([value for value in prop["enum"] if value is not None] or [None]))
    return st.one_of(*choices)


@pytest.fixture
def world(make_user):
    return World.make(make_user)


@pytest.mark.parametrize("operation", all_operations(), ids=lambda operation: operation.name)
def test_fuzz_every_operation_as_every_role(world, operation):
    base = valid_body(operation, world) if operation.body else None
    body = (
        st.fixed_dictionaries({}, optional={name: _field_values(prop) for name, prop in operation.body.items()})
        if operation.body
        else st.none()
    )
    query = st.dictionaries(st.sampled_from(operation.query), texts, max_size=3) if operation.query else st.just({})
    form = st.dictionaries(st.sampled_from(operation.form), texts, max_size=4) if operation.form else st.none()
    path = (
        st.fixed_dictionaries({}, optional={name: texts.filter(str.strip) for name in operation.path_params})
        if operation.path_params
        else st.just({})
    )

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None if not LONG_RUN else hypothesis_settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(role=st.sampled_from(ROLES), body=body, query=query, form=form, path=path)
    def run(role, body, query, form, path):
        problem = send(
            world,
            operation,
            user=role,
            body={**base, **body} if base is not None else None,
            query=query,
            form={**valid_form(world), **form} if form is not None else None,
            path_params=path,
        )
        assert problem is None, problem

    run()
