"""The reports tests' floor: a hand-computed operating day of queue calls, logged calls,
referrals and follow-ups (reports/tests/data.py has the helpers)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from floor.models import Shift
from inquiries.models import Call
from inquiries.tests.factories import CallFactory
from knowledgebase.models import Category
from referrals.models import FollowUp
from referrals.tests.factories import ReferralFactory
from reports.tests.data import DAY, local, queue_call


@pytest.fixture
def shifts(db):
    Shift.objects.all().delete()
    day = Shift.objects.create(name_ko="주간", name_en="Day", starts=time(8), ends=time(19))
    night = Shift.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    return day, night


@pytest.fixture
def floor(agent, other_agent, category, shifts):
    """Operating day DAY: three queue calls in the day shift (one abandoned after
    30 s), two in the night shift after midnight (one answered after 40 s); the
    answered ones logged; a 07:59 call of the next morning still DAY's, one at
    08:00 the next day's."""
    transit = Category.objects.get(slug="transit")
    q1 = queue_call(1, local(DAY, 9), wait=5, agent=agent, category=category)
    q2 = queue_call(2, local(DAY, 9, 30), wait=15, agent=other_agent, category=category)
    queue_call(3, local(DAY, 10), wait=30, answered=False, category=category)
    q4 = queue_call(4, local(DAY + timedelta(days=1), 1), wait=40, agent=agent, category=transit)
    queue_call(5, local(DAY + timedelta(days=1), 7, 59), wait=3, answered=False, category=transit)
    q6 = queue_call(6, local(DAY + timedelta(days=1), 8), wait=1, agent=agent, category=transit)
    c1 = CallFactory(agent=agent, category=category, started_at=q1.offered_at, phone_call_id="q1", satisfaction=5)
    CallFactory(agent=other_agent, category=category, started_at=q2.offered_at, phone_call_id="q2", satisfaction=3)
    c4 = CallFactory(
        agent=agent,
        category=transit,
        started_at=q4.offered_at,
        phone_call_id="q4",
        resolution=Call.Resolution.REFERRED,
        language="en",
    )
    CallFactory(agent=agent, category=transit, started_at=q6.offered_at, phone_call_id="q6")
    walk_in = CallFactory(
        agent=other_agent,
        category=category,
        caller=None,
        number_status=Call.NumberStatus.NONE,
        channel=Call.Channel.VISIT,
        started_at=local(DAY, 14),
    )
    # referred at the call; the follow-up made when the service completed, still that operating day
    referral = ReferralFactory(call=c4, created_at=c4.started_at + timedelta(minutes=5))
    FollowUp.objects.create(
        referral=referral,
        agent=agent,
        due_at=local(DAY + timedelta(days=2), 9),
        created_at=local(DAY + timedelta(days=1), 7),
    )
    ReferralFactory(call=c1, created_at=c1.started_at + timedelta(minutes=3))
    # made on the next operating day: not this day's, though its call is
    ReferralFactory(call=c1, created_at=local(DAY + timedelta(days=1), 9))
    # from the internet (Open311), not from a call of the centre: never counted
    ReferralFactory(call=None, source="open311", contact_number="", created_at=local(DAY, 12))
    return {"walk_in": walk_in, "transit": transit}
