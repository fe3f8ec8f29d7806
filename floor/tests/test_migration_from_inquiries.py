"""The floor's models moved out of inquiries (floor 0001, inquiries 0010): a
database populated before the move keeps every row, and the permissions and
groups that named the models follow them (content types move, ids kept).

Run on SQLite and on PostgreSQL (CI's second pass). The move is state only, so
migrating back and forth here touches no table."""

from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from floor.models import AbuseFlag, AgentStatus, CallerBlock, PhoneEvent, PhoneExtension, QueueCall, Shift

BEFORE = [("inquiries", "0009_queuecall_number_withheld"), ("floor", None)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _populate(apps, user) -> dict:
    """Rows of every kind the floor had, written through the models as they were then."""
    Shift_ = apps.get_model("inquiries", "Shift")
    QueueCall_ = apps.get_model("inquiries", "QueueCall")
    now = timezone.now()
    night = Shift_.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    apps.get_model("inquiries", "ShiftAssignment").objects.create(shift=night, agent_id=user.pk, day=now.date())
    call = QueueCall_.objects.create(
        call_id="pbx-moved-1", caller_number="01012345678", offered_at=now - timedelta(minutes=5), status="ended"
    )
    apps.get_model("inquiries", "PhoneEvent").objects.create(
        event="call.offered", call_id=call.call_id, at=now, body={"event": "call.offered"}, sender_id=user.pk
    )
    apps.get_model("inquiries", "AgentStatus").objects.create(agent_id=user.pk, state="available", current_call=call)
    apps.get_model("inquiries", "PhoneExtension").objects.create(agent_id=user.pk, extension="2041")
    flag = apps.get_model("inquiries", "AbuseFlag").objects.create(
        call=call, caller_number=call.caller_number, agent_id=user.pk, kind="threat"
    )
    apps.get_model("inquiries", "CallerBlock").objects.create(
        number=call.caller_number, reason="threats", until=now + timedelta(days=1), flag=flag, created_by_id=user.pk
    )
    return {"shift": night.pk, "call": call.pk, "flag": flag.pk}


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_moves_forward_without_losing_a_row(reference_data):
    user = get_user_model().objects.create_user(username="moved_agent", password="pw-for-tests-1")
    # the content types as a database made before the move has them
    ContentType.objects.filter(app_label="floor").delete()
    ContentType.objects.clear_cache()
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE[0]).apps
        ids = _populate(old, user)
        queue_type = ContentType.objects.create(app_label="inquiries", model="queuecall")
        view = Permission.objects.create(codename="view_queuecall", name="Can view", content_type=queue_type)
        reviewers = Group.objects.create(name="queue reviewers")
        reviewers.permissions.add(view)

    finally:
        # when: migrate forward to the present (also after a failure: later tests need it)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()

    # then: every row is there, read through the floor's models
    call = QueueCall.objects.get(pk=ids["call"])
    assert call.call_id == "pbx-moved-1"
    assert Shift.objects.get(pk=ids["shift"]).assignments.get().agent == user
    assert PhoneEvent.objects.get(call_id="pbx-moved-1").sender == user
    assert AgentStatus.objects.get(agent=user).current_call == call
    assert PhoneExtension.objects.get(agent=user).extension == "2041"
    flag = AbuseFlag.objects.get(pk=ids["flag"])
    assert flag.call == call
    assert CallerBlock.objects.get(flag=flag).is_active()
    # and the group's permission names the same model in its new app, same row
    moved = Group.objects.get(name="queue reviewers").permissions.get()
    assert moved.pk == view.pk
    assert (moved.content_type.app_label, moved.content_type.model) == ("floor", "queuecall")
    assert moved.content_type.pk == queue_type.pk
    assert QueueCall._meta.db_table == "inquiries_queuecall"


@pytest.mark.django_db(transaction=True)
def test_the_move_goes_back_too(reference_data):
    """Unapplying the move gives the models back to inquiries, rows kept."""
    user = get_user_model().objects.create_user(username="back_agent", password="pw-for-tests-1")
    QueueCall.objects.create(call_id="pbx-back-1", offered_at=timezone.now(), agent=user)
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE[0]).apps
        assert old.get_model("inquiries", "QueueCall").objects.get(call_id="pbx-back-1").agent_id == user.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()
    assert QueueCall.objects.filter(call_id="pbx-back-1").exists()
