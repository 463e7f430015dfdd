"""A record's audit trail as people read it: who, when, what, and each value before → after.

Shared by every versioned record's history page (HIE cases, POP records); each passes how to show one
changed field (its label and values), since that depends on the record's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.models import AuditEvent

# (field name, old text, new text) → (label, old as shown, new as shown)
ShowChange = Callable[[str, str, str], tuple[str, str, str]]


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    action: str
    summary: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def history_entry(event: AuditEvent, show: ShowChange) -> HistoryEntry:
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor else "System"
    changes = [show(name, old, new) for name, (old, new) in event.changes.items()]
    return HistoryEntry(event.at, who, event.get_action_display(), event.summary, changes)
