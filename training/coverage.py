"""Training coverage and refresher rules, as pure functions of plain values (no database).

Coverage rule (issue 5), for one unit on a day D:

1. The window is the 12 months up to and including D: from the day after D's date a year earlier, to D
   (run on 2024-07-15 → 2023-07-16 .. 2024-07-15; 29 February → from 1 March), the same window as the KPI
   engine's rolling 12 months (`kpis.periods`).
2. Trained headcount per role = the sum of attendee headcounts of the unit's sessions in the window.
   Headcount counts attendances, not people: the same nurse at two sessions counts twice, which is why
3. each role is capped at that role's establishment (the establishment in force on D: the latest recorded
   on or before D), so extra sessions for one role cannot make up for another role never trained.
4. Coverage = Σ capped trained ÷ Σ establishment. With no establishment (or one of 0 staff) there is no
   denominator: coverage is "no establishment recorded", never 0 %.

Refresher rule: a unit is due when it has had no session, or its last session was TRAINING_REFRESHER_DAYS
or more days ago; a key message is due at a unit when it was never covered there, or last covered that many
days ago or more. A unit with any key message due is due too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

NO_ESTABLISHMENT = "No establishment recorded"
# RAG thresholds on coverage; below AMBER_FROM is red. A network convention, not a published standard.
GREEN_FROM = 0.80
AMBER_FROM = 0.50


def window_start(day: date) -> date:
    """First day of the 12 months ending on `day` (the day after the same date a year earlier)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 3, 1)
    return day.replace(year=day.year - 1) + timedelta(days=1)


def in_window(session_date: date, day: date) -> bool:
    return window_start(day) <= session_date <= day


@dataclass(frozen=True)
class Coverage:
    """Coverage of one unit on one day; `rate` is None when there is no establishment to divide by."""

    trained: int  # capped, summed over roles: the numerator
    establishment: int  # the denominator
    by_role: Mapping[str, tuple[int, int]]  # role → (capped trained, establishment)
    uncapped: int  # attendee headcount in the window, before the cap

    @property
    def rate(self) -> float | None:
        return self.trained / self.establishment if self.establishment else None

    @property
    def text(self) -> str:
        rate = self.rate
        return NO_ESTABLISHMENT if rate is None else f"{rate:.0%}"

    @property
    def rag(self) -> str:
        """"green", "amber", "red", or "grey" with no establishment (always shown beside its text)."""
        rate = self.rate
        if rate is None:
            return "grey"
        return "green" if rate >= GREEN_FROM else "amber" if rate >= AMBER_FROM else "red"

    @property
    def rag_label(self) -> str:
        return {"green": "Good", "amber": "Improve", "red": "Low", "grey": "No establishment"}[self.rag]


def trained_by_role(attendance: Iterable[tuple[date, str, int]], day: date) -> dict[str, int]:
    """Attendee headcount per role of the (date, role, headcount) rows in the 12 months to `day`."""
    totals: dict[str, int] = {}
    for held, role, headcount in attendance:
        if in_window(held, day):
            totals[role] = totals.get(role, 0) + headcount
    return totals


def coverage(trained: Mapping[str, int], establishment: Mapping[str, int] | None) -> Coverage:
    """Capped coverage from trained headcount per role and the establishment per role (None: none recorded)."""
    establishment = establishment or {}
    by_role = {role: (min(trained.get(role, 0), staff), staff) for role, staff in establishment.items()}
    return Coverage(trained=sum(t for t, _ in by_role.values()), establishment=sum(establishment.values()),
                    by_role=by_role, uncapped=sum(trained.values()))


def in_force(establishments: Iterable[tuple[date, Mapping[str, int]]], day: date) -> Mapping[str, int] | None:
    """The headcounts of the latest (effective_from, headcounts) on or before `day`, or None."""
    current = [(effective, counts) for effective, counts in establishments if effective <= day]
    return max(current, key=lambda pair: pair[0])[1] if current else None


# --- Refreshers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refresher:
    """When something (a unit's training, or one key message at a unit) was last done, and when it is due."""

    last: date | None
    interval_days: int
    today: date

    @property
    def due_on(self) -> date | None:
        """The day it falls due; None when it was never done (due now)."""
        return self.last + timedelta(days=self.interval_days) if self.last else None

    @property
    def is_due(self) -> bool:
        return self.due_on is None or self.due_on <= self.today

    @property
    def text(self) -> str:
        if self.last is None:
            return "Never"
        if self.is_due:
            return f"Due since {self.due_on:%d/%m/%Y}"
        return f"Due {self.due_on:%d/%m/%Y}"


@dataclass(frozen=True)
class UnitRefresher:
    """The unit's refresher by its last session, and each active key message's."""

    session: Refresher
    messages: Mapping[str, Refresher]  # key message text → its refresher, in the managed list's order

    @property
    def due_messages(self) -> list[str]:
        return [text for text, refresher in self.messages.items() if refresher.is_due]

    @property
    def is_due(self) -> bool:
        return self.session.is_due or bool(self.due_messages)

    @property
    def reasons(self) -> list[str]:
        """Why the unit is due, in words for the page and the reminder email."""
        reasons = []
        if self.session.last is None:
            reasons.append("no training session recorded")
        elif self.session.is_due:
            reasons.append(f"last session {self.session.last:%d/%m/%Y}, refresher due {self.session.due_on:%d/%m/%Y}")
        for text in self.due_messages:
            last = self.messages[text].last
            reasons.append(f"“{text}” never covered" if last is None
                           else f"“{text}” last covered {last:%d/%m/%Y}")
        return reasons


def unit_refresher(*, last_session: date | None, message_last: Mapping[str, date | None], interval_days: int,
                   today: date) -> UnitRefresher:
    return UnitRefresher(Refresher(last_session, interval_days, today),
                         {text: Refresher(last, interval_days, today) for text, last in message_last.items()})
