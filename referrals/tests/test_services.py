from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callcenter.errors import Conflict, Forbidden
from callcenter.models import AccessLog
from callcenter.permissions import Role
from referrals import services
from referrals.models import FollowUp, Referral, ReferralEvent
from referrals.tests.factories import ReferralFactory

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services.realtime,
        "publish",
        lambda event, payload, *, groups, coalesce=0.0: sent.append((event, payload, groups)),
    )
    return sent


@pytest.mark.django_db
def test_referral_records_consent_with_time_and_agent(call, agent, legal_service, published):
    referral = services.referral_create(
        call=call,
        service=legal_service,
        reason="아파트 조합 사기 피해",
        consent=True,
        actor=agent,
        callback_preference="평일 오후",
    )
    assert referral.consent and referral.consent_by == agent
    assert abs(referral.consent_at - timezone.now()) < timedelta(minutes=1)
    assert referral.contact_number == "01055550100"
    assert referral.vulnerable  # the caller is a senior
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "new", agent)
    log = AccessLog.objects.get(target=f"referral:{referral.pk}")
    assert log.subject == "caller:01055550100" and log.action == "create"


@pytest.mark.django_db
def test_without_consent_the_number_is_masked_in_every_payload(plain_call, agent, legal_service, published):
    services.referral_create(call=plain_call, service=legal_service, reason="법률 상담", consent=False, actor=agent)
    event, payload, _groups = published[0]
    assert event == "referral.created"
    assert payload["referral"]["contact_number"] == "02-****-5678"
    assert payload["referral"]["consent"] is False
    assert "01055550100" not in str(payload) and "0212345678" not in str(payload)


@pytest.mark.django_db
def test_created_payload_and_groups(plain_call, agent, legal_service, published):
    referral = services.referral_create(
        call=plain_call, service=legal_service, reason="법률 상담", consent=True, actor=agent
    )
    assert len(published) == 1  # normal priority, not vulnerable: nothing for the wallboard
    _event, payload, groups = published[0]
    assert set(groups) == {f"referrals.service.{legal_service.pk}", "referrals.centre"}
    data = payload["referral"]
    assert (
        data["id"] == referral.pk and data["status"] == "new" and data["next"] == ["accepted", "cancelled", "declined"]
    )
    assert data["service"] == "dasan-plaza-legal" and data["service_name_ko"] == "다산플라자 무료법률상담"
    assert data["pressing"] is False and payload["from"] is None


@pytest.mark.django_db
def test_urgent_or_vulnerable_goes_to_the_wallboard(call, agent, legal_service, published):
    referral = services.referral_create(
        call=call, service=legal_service, reason="치매 어르신 실종", consent=True, actor=agent
    )
    urgent = [(e, p, g) for e, p, g in published if e == "referral.urgent"]
    assert len(urgent) == 1
    _, payload, groups = urgent[0]
    assert groups == ["wallboard"]
    assert payload["id"] == referral.pk and payload["vulnerable"] is True
    assert "contact_number" not in payload  # the wallboard gets no contact details


@pytest.mark.django_db
def test_urgent_must_be_accepted_within_the_urgent_limit(plain_call, agent, legal_service, published):
    referral = services.referral_create(
        call=plain_call, service=legal_service, reason="실종 아동", consent=True, actor=agent, priority="urgent"
    )
    assert referral.accept_due_at - referral.created_at == timedelta(minutes=30)


def test_one_working_day_skips_the_weekend():
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=SEOUL)
    assert services.add_working_time(start=friday, duration=timedelta(days=1)) == datetime(
        2026, 11, 30, 15, 0, tzinfo=SEOUL
    )
    assert services.add_working_time(start=friday, duration=timedelta(minutes=30)) == friday + timedelta(minutes=30)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=SEOUL)
    assert services.add_working_time(start=monday, duration=timedelta(days=1)) == datetime(
        2026, 12, 1, 9, 0, tzinfo=SEOUL
    )


@pytest.mark.parametrize(
    "start, days, due",
    [
        # Seollal 2026 is Monday-Wednesday 16-18 February: Friday + 1 working day = Thursday
        (datetime(2026, 2, 13, 15, 0), 1, datetime(2026, 2, 19, 15, 0)),
        # Seollal 2027 is Saturday-Monday 6-8 February, with Tuesday 9 its substitute holiday
        (datetime(2027, 2, 5, 10, 0), 1, datetime(2027, 2, 10, 10, 0)),
        (datetime(2027, 2, 5, 10, 0), 2, datetime(2027, 2, 11, 10, 0)),
        # Chuseok 2026 is Thursday-Saturday 24-26 September: Wednesday + 1 = Monday
        (datetime(2026, 9, 23, 11, 0), 1, datetime(2026, 9, 28, 11, 0)),
        # Chuseok 2025 (5-7 October, from a Sunday) and its substitute Wednesday 8, then Hangul Day on 9
        (datetime(2025, 10, 2, 9, 30), 1, datetime(2025, 10, 10, 9, 30)),
        # Christmas 2026 is a Friday: Thursday + 1 = Monday
        (datetime(2026, 12, 24, 17, 0), 1, datetime(2026, 12, 28, 17, 0)),
        # Christmas 2027 is a Saturday, Monday 27 its substitute holiday
        (datetime(2027, 12, 24, 17, 0), 1, datetime(2027, 12, 28, 17, 0)),
        # made on a holiday: the next working day, same time
        (datetime(2026, 2, 17, 10, 0), 1, datetime(2026, 2, 19, 10, 0)),
    ],
)
def test_working_days_skip_korean_public_holidays(start, days, due):
    assert services.add_working_time(start=start.replace(tzinfo=SEOUL), duration=timedelta(days=days)) == due.replace(
        tzinfo=SEOUL
    )


@pytest.mark.django_db
def test_a_referral_made_before_chuseok_is_due_after_it(plain_call, agent, legal_service, published, monkeypatch):
    # given: Wednesday 23 September 2026, the day before Chuseok's three days
    made = datetime(2026, 9, 23, 14, 0, tzinfo=SEOUL)
    monkeypatch.setattr(timezone, "now", lambda: made)
    # when
    referral = services.referral_create(
        call=plain_call, service=legal_service, reason="임대차 분쟁", consent=True, actor=agent
    )
    # then: one working day later is Monday 28 September, not Thursday 24
    assert timezone.localtime(referral.accept_due_at) == datetime(2026, 9, 28, 14, 0, tzinfo=SEOUL)


@pytest.mark.django_db
def test_a_referral_made_before_seollal_is_due_after_it(plain_call, agent, legal_service, published, local_clock):
    # given: Friday 5 February 2027; Seollal is Saturday 6 - Monday 8, Tuesday 9 its substitute holiday
    local_clock.set(datetime(2027, 2, 5, 16, 30, tzinfo=SEOUL), tick=False)
    # when
    referral = services.referral_create(
        call=plain_call, service=legal_service, reason="임대차 분쟁", consent=True, actor=agent
    )
    # then: one working day later is Wednesday 10 February
    assert timezone.localtime(referral.created_at) == datetime(2027, 2, 5, 16, 30, tzinfo=SEOUL)
    assert timezone.localtime(referral.accept_due_at) == datetime(2027, 2, 10, 16, 30, tzinfo=SEOUL)


@pytest.mark.django_db
def test_inactive_service_takes_no_referral(plain_call, agent, legal_service):
    legal_service.is_active = False
    legal_service.save()
    with pytest.raises(ValidationError):
        services.referral_create(call=plain_call, service=legal_service, reason="x", consent=True, actor=agent)
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_followup_close_writes_history_and_cannot_close_twice(agent, admin_user, category, published):
    referral = ReferralFactory(status="scheduled", created_by=agent, call__agent=agent, call__category=category)
    services.referral_transition(referral=referral, actor=admin_user, to="completed", outcome="해결")
    followup = FollowUp.objects.get(referral=referral)
    closed = services.followup_complete(followup=followup, actor=agent, outcome="solved", note="감사 인사")
    assert closed.status == "closed" and closed.closed_by == agent
    last = referral.events.last()
    assert last.kind == ReferralEvent.Kind.FOLLOWUP_CLOSED and last.to_status == "solved"
    assert ("followup.closed") in [e for e, _, _ in published]
    with pytest.raises(Conflict):
        services.followup_complete(followup=followup, actor=agent, outcome="solved")
    with pytest.raises(ValidationError):
        services.followup_complete(followup=followup, actor=agent, outcome="maybe")


@pytest.mark.django_db
def test_publish_happens_only_after_commit(plain_call, agent, legal_service, django_capture_on_commit_callbacks):
    from callcenter import realtime

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.referral_create(call=plain_call, service=legal_service, reason="법률 상담", consent=True, actor=agent)
    assert len(callbacks) == 1  # one referral.created, held until the commit
    assert realtime.counters["sent"] == 0
    callbacks[0]()
    assert realtime.counters["sent"] == 1 and realtime.counters["failed"] == 0


@pytest.mark.django_db
def test_a_referral_sets_the_calls_resolution_to_referred(call, agent, legal_service, published):
    services.referral_create(call=call, service=legal_service, reason="법률 상담", consent=True, actor=agent)

    call.refresh_from_db()
    assert call.resolution == "referred"
    event = call.events.get(kind="resolution")
    assert (event.from_value, event.to_value, event.actor) == ("answered", "referred", agent)


@pytest.mark.django_db
def test_a_call_without_number_is_referred_without_a_contact_number(agent, category, legal_service, published):
    from inquiries.services import call_log

    walk_in, _ = call_log(agent=agent, number_status="none", channel="visit", category=category, summary="방문")

    referral = services.referral_create(call=walk_in, service=legal_service, reason="상담", consent=True, actor=agent)

    assert referral.contact_number == "" and referral.contact_masked == ""
    assert AccessLog.objects.filter(target=f"referral:{referral.pk}", subject=f"call:{walk_in.pk}").exists()


@pytest.mark.django_db
def test_referral_transition_refuses_who_may_not_move_it(agent, legal_partner, make_user, legal_service):
    # given a new referral to the legal desk
    referral = ReferralFactory(service=legal_service, created_by=agent, call__agent=agent)
    other_desk = make_user(Role.PARTNER, username="water_desk")
    # when an agent tries to accept it (the service's work), or another service's desk does
    for actor in (agent, other_desk):
        with pytest.raises(Forbidden):
            services.referral_transition(referral=referral, actor=actor, to="accepted")
    # then nothing changed; the service's own desk may, and the centre may cancel
    assert Referral.objects.get(pk=referral.pk).status == "new"
    assert not referral.events.filter(to_status="accepted").exists()
    services.referral_transition(referral=referral, actor=legal_partner, to="accepted")
    services.referral_transition(referral=referral, actor=agent, to="cancelled", reason="시민이 취소")
    assert Referral.objects.get(pk=referral.pk).status == "cancelled"
