"""The services of agent protection: extensions, flags, blocks; and the
`agent_extension` command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from callcenter.permissions import Role
from floor import protection_selectors, protection_services
from floor.models import CallerBlock, PhoneExtension
from floor.protection_services import AlreadyBlocked, ExtensionTaken, NotAnAgent, WarningNotRead
from floor.tests.test_abuse_flags_api import answered_call

pytestmark = pytest.mark.django_db


# --- extensions ---------------------------------------------------------------------
def test_an_extension_is_set_changed_and_cleared(agent):
    protection_services.agent_extension_set(agent=agent, extension=" 2041 ")
    assert PhoneExtension.objects.get(agent=agent).extension == "2041"
    protection_services.agent_extension_set(agent=agent, extension="2042")
    assert list(PhoneExtension.objects.values_list("extension", flat=True)) == ["2042"]
    assert protection_services.agent_extension_set(agent=agent, extension="") is None
    assert not PhoneExtension.objects.exists()


def test_an_extension_belongs_to_one_agent(agent, other_agent):
    protection_services.agent_extension_set(agent=agent, extension="2041")
    with pytest.raises(ExtensionTaken, match="agent_a"):
        protection_services.agent_extension_set(agent=other_agent, extension="2041")
    assert PhoneExtension.objects.get().agent == agent


def test_only_agents_get_extensions(make_user):
    with pytest.raises(NotAnAgent):
        protection_services.agent_extension_set(agent=make_user(Role.PARTNER), extension="2041")


@pytest.mark.parametrize("extension", ["20 41", "x" * 21, "<b>", "2041;DROP"])
def test_a_malformed_extension_is_refused(agent, extension):
    with pytest.raises(ValidationError):
        protection_services.agent_extension_set(agent=agent, extension=extension)
    assert not PhoneExtension.objects.exists()


def test_the_command_sets_lists_and_clears(agent):
    out = StringIO()
    call_command("agent_extension", "agent_a", "2041", stdout=out)
    assert "agent_a has extension 2041" in out.getvalue()
    out = StringIO()
    call_command("agent_extension", "--list", stdout=out)
    assert "2041\tagent_a" in out.getvalue()
    call_command("agent_extension", "agent_a", "--clear", stdout=StringIO())
    assert not PhoneExtension.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "2041"], "No user named 'nobody'"),
        (["agent_a"], "Give the extension, or --clear"),
        ([], "Give the agent's username"),
        (["agent_a", "20 41"], "An extension is 1 to 20"),
        (["partner_p", "2041"], "is not an agent"),
        (["agent_b", "2050"], "belongs to agent_a"),
    ],
)
def test_the_command_says_what_is_wrong(agent, other_agent, make_user, args, message):
    make_user(Role.PARTNER, username="partner_p")
    protection_services.agent_extension_set(agent=agent, extension="2050")
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("agent_extension", *args, stdout=StringIO())


# --- flags ------------------------------------------------------------------------------
def test_the_call_can_be_ended_only_after_the_warning(agent, clock):
    answered_call("c1", agent, clock)
    flag = protection_services.abuse_flag_create(agent=agent, call_id="c1", kind="sexual_harassment", note="")
    with pytest.raises(WarningNotRead):
        protection_services.abuse_flag_end_call(flag_id=flag.pk, agent=agent)
    protection_services.abuse_flag_warning_read(flag_id=flag.pk, agent=agent)
    flag = protection_services.abuse_flag_end_call(flag_id=flag.pk, agent=agent)
    assert flag.ended_at >= flag.warning_read_at
    assert flag.caller_number == "01023456789"


def test_a_call_that_just_ended_can_still_be_flagged(agent, clock):
    from floor import services as floor_services

    call = answered_call("c1", agent, clock)
    floor_services.phone_event_apply(
        data={"event": "call.ended", "call_id": "c1", "at": clock(60)}, body={}, sender=call.agent
    )
    assert protection_services.abuse_flag_create(agent=agent, call_id="c1", kind="threat").call == call


# --- blocks -------------------------------------------------------------------------------
def test_a_block_is_in_force_from_its_start_until_its_end(supervisor):
    now = timezone.now()
    block = protection_services.caller_block_create(
        number="01023456789", reason="threat", until=now + timedelta(hours=1), actor=supervisor, at=now
    )
    find = protection_selectors.caller_block_find
    assert find(number="01023456789", at=now) == block
    assert find(number="01023456789", at=now - timedelta(seconds=1)) is None
    assert find(number="01023456789", at=now + timedelta(hours=1)) is None  # ends by itself, no job
    assert find(number="0212345678", at=now) is None


def test_an_expired_block_allows_a_new_one(supervisor):
    past = timezone.now() - timedelta(days=1)
    protection_services.caller_block_create(
        number="01023456789", reason="old", until=past + timedelta(hours=1), actor=supervisor, at=past
    )
    protection_services.caller_block_create(
        number="01023456789", reason="new", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    with pytest.raises(AlreadyBlocked):
        protection_services.caller_block_create(
            number="01023456789", reason="again", until=timezone.now() + timedelta(hours=2), actor=supervisor
        )
    assert CallerBlock.objects.count() == 2  # history kept


def test_a_block_must_end_after_it_starts(supervisor):
    with pytest.raises(ValidationError):
        protection_services.caller_block_create(
            number="01023456789", reason="x", until=timezone.now() - timedelta(hours=1), actor=supervisor
        )
    assert not CallerBlock.objects.exists()
