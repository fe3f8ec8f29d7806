"""The floor's models: the queue, agents' states and shifts (queue.py), and agent
protection: phone extensions, abusive-call flags, caller blocks (protection.py).

Their tables keep the names `inquiries` gave them (`db_table`): the models moved
apps in floor/migrations/0001_initial.py without a table being touched."""

from floor.models.protection import WARNING_SCRIPTS, AbuseFlag, CallerBlock, PhoneExtension
from floor.models.queue import (
    AGENT_TRANSITIONS,
    BUSY_STATES,
    STAFFED_STATES,
    AgentState,
    AgentStateChange,
    AgentStatus,
    FiguresVersion,
    PhoneEvent,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)

# The models (lower case) that inquiries held before floor 0001.
MOVED_FROM_INQUIRIES = (
    "phoneevent",
    "queuecall",
    "agentstatus",
    "agentstatechange",
    "shift",
    "shiftassignment",
    "shiftsession",
    "phoneextension",
    "abuseflag",
    "callerblock",
)

__all__ = [
    "AGENT_TRANSITIONS",
    "BUSY_STATES",
    "MOVED_FROM_INQUIRIES",
    "STAFFED_STATES",
    "WARNING_SCRIPTS",
    "AbuseFlag",
    "AgentState",
    "AgentStateChange",
    "AgentStatus",
    "CallerBlock",
    "FiguresVersion",
    "PhoneEvent",
    "PhoneExtension",
    "QueueCall",
    "Shift",
    "ShiftAssignment",
    "ShiftSession",
]
