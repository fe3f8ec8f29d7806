"""Retention (PIPA): closed cases pseudonymized after SAFETY_RETENTION_DAYS, registrations
deleted two years after their last renewal; `manage.py safety_retention` says what it did."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from referrals.models import Referral
from safety import services
from safety.models import Case, CaseEvent, Registration, RegistrationEvent
from safety.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def open_case(call, agent, **extra):
    return services.case_open(
        call=call,
        actor=agent,
        kind="dementia",
        name="김철수",
        age=78,
        sex="male",
        clothing="회색 점퍼",
        marks="왼쪽 뺨에 큰 점",
        last_seen_place="종로3가역",
        last_seen_at=timezone.now() - timedelta(hours=1),
        guardian_number="010-7777-1234",
        consent=True,
        photo=SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png"),
        **extra,
    )


def run(*args) -> str:
    out = StringIO()
    call_command("safety_retention", *args, stdout=out)
    return out.getvalue()


def test_closed_cases_past_the_retention_period_are_pseudonymized(
    agent, report_call, sighting_call, other_agent, settings
):
    settings.SAFETY_RETENTION_DAYS = 365
    old = open_case(report_call, agent)
    services.sighting_link(
        case=old,
        call=sighting_call,
        actor=other_agent,
        place="탑골공원",
        seen_at=timezone.now(),
        note="김철수 님이라고 하심",
    )
    services.case_transition(case=old, actor=agent, to="closed", note="보호자 인계 완료")
    recent = open_case(report_call, agent)
    services.case_transition(case=recent, actor=agent, to="cancelled")
    still_open = open_case(report_call, agent)
    Case.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=366))
    photo_path = Path(Case.objects.get(pk=old.pk).photo.path)
    assert photo_path.exists()

    dry = run("--dry-run")
    assert f"1 closed case(s) would be pseudonymized (closed more than 365 days ago): #{old.pk}" in dry
    assert Case.objects.get(pk=old.pk).name == "김철수"

    said = run()
    assert f"1 closed case(s) were pseudonymized (closed more than 365 days ago): #{old.pk}" in said
    assert "0 registration(s) were deleted" in said
    old = Case.objects.get(pk=old.pk)
    assert (old.name, old.guardian_number, old.marks, old.clothing, old.photo.name) == ("", "", "", "", "")
    assert old.pseudonymized_at is not None and not photo_path.exists()
    assert old.kind == "dementia" and old.age == 78 and old.last_seen_place == "종로3가역"  # statistics stay
    assert all(note == "" for note in old.sightings.values_list("note", flat=True))
    assert "김철수" not in " ".join(old.events.values_list("note", flat=True))
    assert old.events.last().kind == CaseEvent.Kind.PSEUDONYMIZED
    assert Referral.objects.get(pk=old.handoff_id).contact_number == ""
    assert Case.objects.get(pk=recent.pk).name == "김철수"  # closed, but not long enough ago
    assert Case.objects.get(pk=still_open.pk).name == "김철수"
    assert "0 closed case(s) were pseudonymized" in run()  # once only


def test_registrations_not_renewed_for_two_years_are_deleted(agent):
    kept = services.registration_create(
        actor=agent, kind="child", name="박하늘", guardian_number="010-3333-4444", consent=True
    )
    stale = services.registration_create(
        actor=agent,
        kind="dementia",
        name="이순자",
        guardian_number="010-5555-6666",
        consent=True,
        photo=SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png"),
    )
    photo_path = Path(stale.photo.path)
    Registration.objects.filter(pk=stale.pk).update(renewed_at=timezone.now() - timedelta(days=2 * 365 + 1))
    Registration.objects.filter(pk=kept.pk).update(
        registered_at=timezone.now() - timedelta(days=1000), renewed_at=timezone.now() - timedelta(days=300)
    )
    said = run()
    assert f"1 registration(s) were deleted (not renewed for 2 years): #{stale.pk}" in said
    assert list(Registration.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not photo_path.exists()
    event = RegistrationEvent.objects.filter(registration_number=stale.pk).last()
    assert event.kind == RegistrationEvent.Kind.EXPIRED and event.actor is None


def test_deletion_on_request_keeps_only_the_event(agent):
    registration = services.registration_create(
        actor=agent, kind="disability", guardian_number="02-123-4567", consent=True, marks="보청기"
    )
    number = services.registration_delete(registration=registration, actor=agent)
    assert not Registration.objects.exists()
    kinds = list(RegistrationEvent.objects.filter(registration_number=number).values_list("kind", flat=True))
    assert kinds == ["registered", "deleted"]


def test_an_open_case_is_never_pseudonymized(agent, report_call):
    from callcenter.errors import Conflict

    case = open_case(report_call, agent)
    with pytest.raises(Conflict):
        services.case_pseudonymize(case=case)
