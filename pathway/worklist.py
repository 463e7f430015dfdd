"""The worklist: what is due or overdue on the cases a user can see.

`items_for(cases, as_of)` is pure (one pass over cases already in memory, using the pure completeness
rules), so tests fix the clock by passing `as_of`. `candidate_cases(user)` is the one query that feeds it:
the user's current cases with their units, so the page costs the same few queries for 10 or 1,000 cases.

Boundaries (inclusive where kpis.md is):
- MRI window: listed from 120 h after birth (day 5); overdue from 360 h (day 14 has ended), the same
  instants as kpis.md `mri_day5_14`. "Due by" shows the date of day 14. Once the baby is discharged the
  item moves to "Discharged without MRI".
- 2-year follow-up: listed from the date the baby is 18 calendar months old; due by the date they are
  30 months old, overdue the day after. Ages use the Europe/London date of birth.
- Horizon: every item of a baby born more than `WORKLIST_HORIZON_YEARS` (setting, default 3) before the
  UK date of `as_of` closes itself: a 2022 gap is history, not work.
- A baby inside the 6-hour window is on the live board (`pathway.phases`), not "missing data".
- An item acknowledged with a coded reason (`acknowledge`, audited) leaves the list for good; a new item on
  the same case (another warning, another missing field) has another key and is listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import audit
from core.models import AuditEvent
from core.timeutil import format_uk, london_date
from pathway import choices as c
from pathway import phases, standards
from pathway.access import cases_for
from pathway.completeness import has_died, is_discharged, missing_fields
from pathway.models import Case, CaseQuerySet, WorklistAcknowledgement
from pathway.rules import SOFT_MESSAGES
from units.access import Action, UserLike
from units.models import Unit

# The windows are pathway.standards', the one home the KPI definitions read too.
MRI_FROM = standards.MRI_FROM
MRI_UNTIL = standards.MRI_UNTIL
FOLLOW_UP_FROM_MONTHS = standards.FOLLOW_UP_FROM_MONTHS
FOLLOW_UP_DUE_MONTHS = standards.FOLLOW_UP_DUE_MONTHS
_FOLLOW_UP_OPEN = ("", c.FollowUp.UNKNOWN)


class Kind(StrEnum):
    MRI_DUE = "mri_due"
    NO_MRI = "no_mri"
    MISSING_DATA = "missing_data"
    FOLLOW_UP = "follow_up"
    DATA_QUALITY = "data_quality"
    # v2 (issue 14): the whole journey
    MRI_REPORT = "mri_report"
    FOLLOW_UP_ITEMS = "follow_up_items"
    REFERRAL_DECISION = "referral_decision"


KIND_LABELS: dict[Kind, str] = {
    Kind.MRI_DUE: f"MRI due (day {standards.MRI_FIRST_DAY}–{standards.MRI_LAST_DAY})",
    Kind.NO_MRI: "Discharged without MRI",
    Kind.MISSING_DATA: "Missing data",
    Kind.FOLLOW_UP: "2-year follow-up",
    Kind.DATA_QUALITY: "Data-quality checks",
    Kind.MRI_REPORT: "MRI without a structured report",
    Kind.FOLLOW_UP_ITEMS: "2-year follow-up: outcome items missing",
    Kind.REFERRAL_DECISION: "Referral without a decision",
}


class Due(StrEnum):
    """The due state filter: past its date, with a date still to come, or no date (to do when possible)."""

    OVERDUE = "overdue"
    DUE = "due"
    NO_DATE = "no_date"


DUE_LABELS: dict[Due, str] = {Due.OVERDUE: "Overdue", Due.DUE: "Due (date to come)", Due.NO_DATE: "No due date"}


@dataclass(frozen=True)
class Item:
    kind: Kind
    case: Case
    what: str
    due: date | None = None
    overdue: bool = False
    detail: str = ""  # what the item is about within its kind (a warning's code), part of its key

    @property
    def key(self) -> str:
        """Names the item for an acknowledgement: its kind, and what it is about."""
        return f"{self.kind}:{self.detail}" if self.detail else str(self.kind)

    @property
    def due_state(self) -> Due:
        if self.overdue:
            return Due.OVERDUE
        return Due.DUE if self.due is not None else Due.NO_DATE


@dataclass
class Group:
    kind: Kind
    items: list[Item] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.items)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day (31 Aug + 18 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


# --- One rule per kind ---------------------------------------------------------------------------------


def _mri_due(case: Case, as_of: datetime) -> Item | None:
    if (not case.is_cooled or has_died(case) or case.mri_performed == c.YesNoUnknown.YES
            or is_discharged(case, as_of)):
        return None
    birth = case.birth_datetime.astimezone(UTC)
    age = as_of - birth
    if age < MRI_FROM:
        return None
    due = london_date(birth + timedelta(days=standards.MRI_LAST_DAY))
    overdue = age >= MRI_UNTIL
    verb = "closed" if overdue else "closes"
    text = f"MRI window {verb} {due:%d/%m/%Y} (day {standards.MRI_LAST_DAY}); the baby is on day {age.days}"
    return Item(Kind.MRI_DUE, case, text, due, overdue=overdue)


def _discharged_without_mri(case: Case, as_of: datetime) -> Item | None:
    if (not case.is_cooled or has_died(case) or case.mri_performed == c.YesNoUnknown.YES
            or not is_discharged(case, as_of)):
        return None
    recorded = "recorded as not done" if case.mri_performed == c.YesNoUnknown.NO else "no MRI recorded"
    discharged = case.discharge_datetime
    assert discharged is not None  # is_discharged said so
    # The standard is an MRI before discharge (kpis.md `mri_before_discharge`): the discharge date was the
    # deadline, and it has passed.
    day = london_date(discharged)
    return Item(Kind.NO_MRI, case, f"Discharged {day:%d/%m/%Y} without MRI ({recorded})", day, overdue=True)


def _missing_data(case: Case, as_of: datetime) -> Item | None:
    # Inside the 6-hour window the steps are still to come: the live board shows them, not "missing".
    if phases.phase_of(case, as_of) is phases.Phase.WINDOW:
        return None
    missing = missing_fields(case, as_of)
    if not missing:
        return None
    noun = "item" if len(missing) == 1 else "items"
    # The key holds which fields: acknowledging these gaps does not hide a new one.
    fields = hashlib.sha256(",".join(sorted(m.field for m in missing)).encode()).hexdigest()[:16]
    return Item(Kind.MISSING_DATA, case, f"{len(missing)} {noun} missing: {', '.join(m.label for m in missing)}",
                detail=fields)


def _follow_up(case: Case, as_of: datetime) -> Item | None:
    if has_died(case) or case.followup_2y not in _FOLLOW_UP_OPEN:
        return None
    born = london_date(case.birth_datetime)
    today = london_date(as_of)
    if today < add_months(born, FOLLOW_UP_FROM_MONTHS):
        return None
    due = add_months(born, FOLLOW_UP_DUE_MONTHS)
    state = "recorded as unknown" if case.followup_2y == c.FollowUp.UNKNOWN else "not recorded"
    return Item(Kind.FOLLOW_UP, case, f"2-year follow-up due by {due:%d/%m/%Y} ({state})", due,
                overdue=today > due)


def _data_quality(case: Case, as_of: datetime) -> list[Item]:
    """One item per warning, so each can be acknowledged on its own."""
    return [Item(Kind.DATA_QUALITY, case, f"Check: {SOFT_MESSAGES.get(flag, flag)}", detail=flag)
            for flag in case.dq_flags]


RULES = (_mri_due, _discharged_without_mri, _missing_data, _follow_up)


def horizon_years() -> int:
    return int(settings.WORKLIST_HORIZON_YEARS)


def closed_by_horizon(case: Case, as_of: datetime) -> bool:
    """Born more than the horizon (default 3 years) before the UK date of `as_of`: its items close."""
    return add_months(london_date(case.birth_datetime), 12 * horizon_years()) < london_date(as_of)


def _items_of(case: Case, as_of: datetime) -> list[Item]:
    found = [item for rule in RULES if (item := rule(case, as_of)) is not None]
    return found + _data_quality(case, as_of)


def items_for(cases: Iterable[Case], as_of: datetime, acknowledged: set[tuple[int, str]] | None = None
              ) -> list[Item]:
    """Every open worklist item of the cases at `as_of`: none for entered-in-error cases or those past the
    horizon, and none that was acknowledged (`acknowledged`: (case id, item key) pairs)."""
    as_of = as_of.astimezone(UTC)
    done = acknowledged or set()
    return [item for case in cases if not case.entered_in_error and not closed_by_horizon(case, as_of)
            for item in _items_of(case, as_of) if (case.pk, item.key) not in done]


def sort_by_due(items: Iterable[Item]) -> list[Item]:
    """By due date, earliest first (so the longest overdue lead); items without a date after them."""
    return sorted(items, key=lambda i: (i.due is None, i.due or date.min, i.case.case_ref, i.kind))


def counts_by_kind(items: Iterable[Item]) -> dict[Kind, int]:
    counts = dict.fromkeys(Kind, 0)
    for item in items:
        counts[item.kind] += 1
    return counts


# --- Acknowledging an item -------------------------------------------------------------------------------

ACK_OBJECT_TYPE = "pathway.worklist_acknowledgement"
NOTE_MAX = 500


def find_item(case: Case, key: str, as_of: datetime) -> Item | None:
    """The case's open item with this key at `as_of` (acknowledged or not)."""
    return next((item for item in items_for([case], as_of) if item.key == key), None)


def acknowledge(*, case: Case, item: Item, reason: str, note: str, by: UserLike) -> WorklistAcknowledgement:
    """Close one item with a coded reason (and a note; required for "other"), audited. The item then leaves
    the worklist for good. ValidationError names the field and the rule."""
    note = note.strip()
    errors: dict[str, str] = {}
    if reason not in c.AcknowledgementReason.values:
        errors["reason"] = "Choose the reason for acknowledging this item"
    elif reason == c.AcknowledgementReason.OTHER and not note:
        errors["note"] = "Say why in the note: it is required when the reason is 'Other'"
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            ack = WorklistAcknowledgement.objects.create(  # type: ignore[misc]  # signed in (login_required)
                case=case, item_key=item.key, what=item.what[:255], reason=reason, note=note, acknowledged_by=by)
            label = c.AcknowledgementReason(reason).label
            audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=ACK_OBJECT_TYPE, object_id=ack.pk,
                         summary=f"{case.case_ref}: worklist item acknowledged ({label})",
                         changes={"case": case.case_ref, "item": item.what, "key": item.key, "reason": label,
                                  "note": note})
    except IntegrityError:
        raise ValidationError({"reason": "This item was already acknowledged"}) from None
    return ack


def acknowledged_pairs(cases: CaseQuerySet) -> set[tuple[int, str]]:
    """(case id, item key) of every acknowledgement on these cases: one query."""
    return set(WorklistAcknowledgement.objects.filter(case__in=cases).values_list("case_id", "item_key"))


def grouped(items: Iterable[Item]) -> list[Group]:
    """One group per kind, always all of them (a zero count is news too): overdue first, then by due date."""
    groups = {kind: Group(kind) for kind in Kind}
    for item in items:
        groups[item.kind].items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda i: (not i.overdue, i.due is None, i.due or date.min, i.case.case_ref))
    return list(groups.values())


# --- Reading the cases ---------------------------------------------------------------------------------


def candidate_cases(user: UserLike, as_of: datetime | None = None) -> CaseQuerySet:
    """The user's current cases with both units joined: one query, whatever the number of cases. With
    `as_of`, only babies inside the horizon (a day's margin: `closed_by_horizon` decides on UK dates)."""
    cases = cases_for(user, Action.LIST).current().select_related("birth_unit", "cooling_centre")
    if as_of is not None:
        years = horizon_years()
        cases = cases.filter(birth_datetime__gte=as_of - timedelta(days=366 * years + 2))
    return cases


def units_of(cases: Iterable[Case]) -> list[Unit]:
    """The units the cases belong to (birth unit or cooling centre), for the unit filter."""
    found: dict[int, Unit] = {}
    for case in cases:
        for unit in (case.birth_unit, case.cooling_centre):
            if unit is not None:
                found[unit.pk] = unit
    return sorted(found.values(), key=lambda u: u.short_name)


def at_unit(cases: Iterable[Case], ods_code: str) -> list[Case]:
    """Cases born or cooled at the unit, as the access rules count them."""
    return [case for case in cases
            if ods_code in {u.ods_code for u in (case.birth_unit, case.cooling_centre) if u is not None}]


# --- v2 kinds (issue 14), each its own rule --------------------------------------------------------------------

# A decision is given on the referral call itself; a day later an empty one is overdue, not just unrecorded.
DECISION_GRACE = timedelta(hours=24)


def _mri_without_report(case: Case, as_of: datetime) -> Item | None:
    """A scan whose report lacks the predominant injury pattern or a named scoring system (kpis.md v2
    `mri_structured_report`), so the radiologist's section is listed until it is complete."""
    if case.mri_performed != c.YesNoUnknown.YES:
        return None
    missing = [label for label, absent in (
        ("injury pattern", not case.mri_injury_pattern),
        ("scoring system", case.mri_score_system in ("", c.MriScoreSystem.NONE)),
    ) if absent]
    if not missing:
        return None
    scanned = f" of {london_date(case.mri_datetime):%d/%m/%Y}" if case.mri_datetime else ""
    return Item(Kind.MRI_REPORT, case, f"MRI{scanned} without a structured report: {' and '.join(missing)} missing")


def followup_items_missing(case: Case) -> list[str]:
    """What a completed two-year assessment still lacks: the items kpis.md v2 `followup_2y_structured` and
    the disability classification read."""
    missing: list[str] = []
    if case.followup_corrected_age_months is None:
        missing.append("corrected age")
    if case.bayley_version == "":
        missing.append("Bayley version")
    elif case.bayley_version != c.BayleyVersion.NOT_DONE:
        missing += [f"Bayley {name} composite" for name, score in (
            ("cognitive", case.bayley_cognitive), ("language", case.bayley_language), ("motor", case.bayley_motor))
            if score is None]
    for label, answer in (("cerebral palsy", case.cerebral_palsy), ("vision", case.vision),
                          ("hearing", case.hearing), ("epilepsy", case.epilepsy)):
        if answer in ("", "unknown"):
            missing.append(label)
    if case.cerebral_palsy in c.CEREBRAL_PALSY_TYPES and case.gmfcs_level is None:
        missing.append("GMFCS level")
    return missing


def _follow_up_items(case: Case, as_of: datetime) -> Item | None:
    if case.followup_2y != c.FollowUp.COMPLETED:
        return None
    missing = followup_items_missing(case)
    if not missing:
        return None
    done = f" on {case.followup_2y_date:%d/%m/%Y}" if case.followup_2y_date else ""
    return Item(Kind.FOLLOW_UP_ITEMS, case, f"2-year follow-up done{done}; missing: {', '.join(missing)}")


def _referral_without_decision(case: Case, as_of: datetime) -> Item | None:
    if case.referral_datetime is None or case.referral_decision:
        return None
    called = case.referral_datetime.astimezone(UTC)
    return Item(Kind.REFERRAL_DECISION, case,
                f"Referral call of {format_uk(case.referral_datetime)} has no decision (cool, do not cool, observe)",
                london_date(called), overdue=as_of - called > DECISION_GRACE)


RULES = (*RULES, _mri_without_report, _follow_up_items, _referral_without_decision)
