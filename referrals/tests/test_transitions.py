"""The transition table, exhaustively: every state x every target (moved by an admin, who may make
every move: who may is tested in test_services.py and test_api.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callcenter.errors import IllegalTransition
from referrals.models import TRANSITIONS, FollowUp, ReferralEvent, Status
from referrals.services import referral_transition
from referrals.tests.factories import ReferralFactory

ALLOWED = {
    ("new", "accepted"),
    ("new", "declined"),
    ("new", "cancelled"),
    ("accepted", "scheduled"),
    ("accepted", "declined"),
    ("accepted", "cancelled"),
    ("scheduled", "completed"),
    ("scheduled", "cancelled"),
}
REQUIRED = {"scheduled_for": None, "outcome": "상담 완료, 소송 절차 안내", "reason": "관할 아님"}


def _fields():
    return {**REQUIRED, "scheduled_for": timezone.now() + timedelta(days=2)}


def test_the_table_is_the_issue_life_cycle():
    table = {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(Status.values)


@pytest.mark.django_db
@pytest.mark.parametrize("current", Status.values)
@pytest.mark.parametrize("target", Status.values)
def test_every_state_to_every_target(current, target, agent, admin_user, category):
    referral = ReferralFactory(status=current, call__agent=agent, call__category=category)
    if (current, target) in ALLOWED:
        moved = referral_transition(referral=referral, actor=admin_user, to=target, note="메모", **_fields())
        assert moved.status == target
        event = ReferralEvent.objects.filter(referral=referral, kind=ReferralEvent.Kind.STATUS).last()
        assert (event.from_status, event.to_status, event.actor) == (current, target, admin_user)
        assert "메모" in event.note
        assert (moved.closed_at is not None) == (not TRANSITIONS[target])
    else:
        with pytest.raises(IllegalTransition) as raised:
            referral_transition(referral=referral, actor=admin_user, to=target, **_fields())
        assert raised.value.status == 409
        referral.refresh_from_db()
        assert referral.status == current
        assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target", "missing"),
    [("accepted", "scheduled", "scheduled_for"), ("scheduled", "completed", "outcome"), ("new", "declined", "reason")],
)
def test_a_transition_without_its_required_field_changes_nothing(current, target, missing, agent, admin_user, category):
    referral = ReferralFactory(status=current, call__agent=agent, call__category=category)
    fields = _fields()
    fields[missing] = None if missing == "scheduled_for" else "  "
    with pytest.raises(ValidationError) as raised:
        referral_transition(referral=referral, actor=admin_user, to=target, **fields)
    assert missing in raised.value.message_dict
    referral.refresh_from_db()
    assert referral.status == current


@pytest.mark.django_db
def test_unknown_status_is_a_validation_error(agent, category):
    referral = ReferralFactory(call__agent=agent, call__category=category)
    with pytest.raises(ValidationError):
        referral_transition(referral=referral, actor=agent, to="lost")


@pytest.mark.django_db
def test_completion_makes_a_follow_up_due_for_the_referring_agent(agent, admin_user, category, settings):
    settings.REFERRAL_FOLLOWUP_HOURS = 48
    referral = ReferralFactory(status="scheduled", created_by=agent, call__agent=agent, call__category=category)
    before = timezone.now()
    referral_transition(referral=referral, actor=admin_user, to="completed", outcome="상담 완료")
    followup = FollowUp.objects.get(referral=referral)
    assert followup.status == FollowUp.Status.DUE and followup.agent == agent
    assert before + timedelta(hours=47) < followup.due_at < timezone.now() + timedelta(hours=49)
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == [ReferralEvent.Kind.STATUS, ReferralEvent.Kind.FOLLOWUP_DUE]


@pytest.mark.django_db
def test_an_appointment_before_the_referral_is_refused(agent, admin_user, category):
    referral = ReferralFactory(status="accepted", call__agent=agent, call__category=category)
    with pytest.raises(ValidationError):
        referral_transition(
            referral=referral, actor=admin_user, to="scheduled", scheduled_for=referral.created_at - timedelta(days=3)
        )
