"""Writes for agents' phone extensions, abusive-call flags and caller blocks.

A block's number is personal data: creating and ending a block, and showing
its number in full, write the access log (callcenter.services).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import permissions
from callcenter.error_codes import ErrorCode as SharedCode
from callcenter.errors import ApplicationError, Conflict
from callcenter.models import AccessLog
from callcenter.services import access_log_record, personal_data_reveal
from floor.error_codes import ErrorCode
from floor.models import AbuseFlag, CallerBlock, PhoneExtension, QueueCall


class NotAnAgent(ApplicationError):
    code = ErrorCode.NOT_AN_AGENT


class ExtensionTaken(Conflict):
    code = ErrorCode.EXTENSION_TAKEN


class AlreadyFlagged(Conflict):
    code = ErrorCode.ALREADY_FLAGGED


class FlagNotFound(ApplicationError):
    code = SharedCode.NOT_FOUND
    status = 404


class WarningNotRead(Conflict):
    code = ErrorCode.WARNING_NOT_READ


class AlreadyBlocked(Conflict):
    code = ErrorCode.ALREADY_BLOCKED


class BlockNotActive(Conflict):
    code = ErrorCode.BLOCK_NOT_ACTIVE


# --- extensions -------------------------------------------------------------------
@transaction.atomic
def agent_extension_set(*, agent: AbstractBaseUser, extension: str) -> PhoneExtension | None:
    """Give the agent this phone extension (an empty one removes it). Side
    effect: the agent's PhoneExtension row is created, changed or deleted.
    Raises NotAnAgent, ExtensionTaken (another agent has it) or ValidationError."""
    if not permissions.can_use_console(agent):
        raise NotAnAgent(_("“%(name)s” is not an agent.") % {"name": agent.get_username()})
    extension = (extension or "").strip()
    current = PhoneExtension.objects.select_for_update().filter(agent=agent).first()
    if not extension:
        if current is not None:
            current.delete()
        return None
    holder = PhoneExtension.objects.filter(extension=extension).exclude(agent=agent).select_related("agent").first()
    if holder is not None:
        raise ExtensionTaken(
            _("Extension %(ext)s belongs to %(name)s already.")
            % {"ext": extension, "name": holder.agent.get_username()},
            fields={"extension": [_("Taken by another agent.")]},
        )
    record = current or PhoneExtension(agent=agent)
    record.extension = extension
    record.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # another agent took it between the look and the save
        raise ExtensionTaken(
            _("Extension %(ext)s was just given to another agent.") % {"ext": extension},
            fields={"extension": [_("Taken by another agent.")]},
        ) from None
    return record


# --- abusive-call flags -------------------------------------------------------------
@transaction.atomic
def abuse_flag_create(*, agent: AbstractBaseUser, call_id: str, kind: str, note: str = "") -> AbuseFlag:
    """The agent flags the call they answered as abusive. Side effect: an
    AbuseFlag row (the caller's number copied from the queue). Raises
    ApplicationError (not the agent's call) or AlreadyFlagged."""
    call = QueueCall.objects.filter(call_id=call_id, agent=agent).first()
    if call is None or call.status not in (QueueCall.Status.TALKING, QueueCall.Status.ENDED):
        raise ApplicationError(
            _("You can flag only a call you answered."),
            code=ErrorCode.NOT_YOUR_CALL,
            fields={"call_id": [_("Not your call.")]},
        )
    if AbuseFlag.objects.filter(call=call, agent=agent).exists():
        raise AlreadyFlagged(_("You have flagged this call already."))
    flag = AbuseFlag(call=call, caller_number=call.caller_number, agent=agent, kind=kind, note=(note or "").strip())
    flag.full_clean(validate_unique=False)
    flag.save()
    return flag


def _own_flag_locked(flag_id: int, agent: AbstractBaseUser) -> AbuseFlag:
    flag = AbuseFlag.objects.select_for_update().filter(pk=flag_id, agent=agent).first()
    if flag is None:
        raise FlagNotFound(_("No such flag of yours."))
    return flag


@transaction.atomic
def abuse_flag_warning_read(*, flag_id: int, agent: AbstractBaseUser) -> AbuseFlag:
    """The agent read the warning script to the caller (the first time counts).
    Side effect: AbuseFlag.warning_read_at."""
    flag = _own_flag_locked(flag_id, agent)
    if flag.warning_read_at is None:
        flag.warning_read_at = timezone.now()
        flag.save(update_fields=["warning_read_at"])
    return flag


@transaction.atomic
def abuse_flag_end_call(*, flag_id: int, agent: AbstractBaseUser) -> AbuseFlag:
    """After the warning, the agent ends the call; the flag records when.
    Side effect: AbuseFlag.ended_at. Raises WarningNotRead before the warning."""
    flag = _own_flag_locked(flag_id, agent)
    if flag.warning_read_at is None:
        raise WarningNotRead(_("Read the warning to the caller before ending the call."))
    if flag.ended_at is None:
        flag.ended_at = timezone.now()
        flag.full_clean(validate_unique=False)
        flag.save(update_fields=["ended_at"])
    return flag


# --- caller blocks ------------------------------------------------------------------
@transaction.atomic
def caller_block_create(
    *,
    number: str,
    reason: str,
    until: datetime,
    actor: AbstractBaseUser,
    flag: AbuseFlag | None = None,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> CallerBlock:
    """Block a (normalized) number from `at` (now) until `until`. Side effects:
    a CallerBlock row; an access-log row (create, the caller's number).
    Raises AlreadyBlocked while another block of the number is in force."""
    at = at or timezone.now()
    if CallerBlock.objects.select_for_update().filter(number=number).active(at=at).exists():
        raise AlreadyBlocked(_("This number is blocked already; end that block first to change it."))
    block = CallerBlock(
        number=number,
        reason=(reason or "").strip(),
        starts_at=at,
        until=until,
        flag=flag,
        created_by=actor,
        created_at=at,
    )
    block.full_clean(validate_unique=False)
    block.save()
    access_log_record(
        user=actor,
        action=AccessLog.Action.CREATE,
        subject=block.subject,
        target=f"caller_block:{block.pk}",
        request=request,
        reason=_("caller block"),
    )
    return block


def caller_block_reveal(*, block: CallerBlock, user: AbstractBaseUser, request: HttpRequest | None = None) -> AccessLog:
    """Record that `user` was shown the blocked number in full. Side effect: an access-log row."""
    return personal_data_reveal(user=user, subject=block.subject, target=f"caller_block:{block.pk}", request=request)


@transaction.atomic
def caller_block_end(*, block_id: int, actor: AbstractBaseUser, request: HttpRequest | None = None) -> CallerBlock:
    """End a block before its `until` (the row is kept). Side effects:
    CallerBlock.ended_at/ended_by; an access-log row (change). Raises
    BlockNotActive for a block that has ended or expired."""
    block = CallerBlock.objects.select_for_update().get(pk=block_id)
    now = timezone.now()
    if not block.is_active(now):
        raise BlockNotActive(_("This block is not in force any more."))
    block.ended_at = now
    block.ended_by = actor
    block.save(update_fields=["ended_at", "ended_by"])
    access_log_record(
        user=actor,
        action=AccessLog.Action.CHANGE,
        subject=block.subject,
        target=f"caller_block:{block.pk}",
        request=request,
        reason=_("caller block ended"),
    )
    return block
