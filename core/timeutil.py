"""Local (Europe/London) date-time parsing and formatting, safe at the clock changes.

dataset.md "Date-times": a value without an offset is Europe/London local time; a local time that does
not exist (spring-forward gap) is an error; one that occurs twice (autumn fall-back) is an error unless
an explicit offset is given. Intervals are always computed on aware instants, never on wall clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# ASCII only: `\d` would otherwise accept other scripts' digits (e.g. Arabic-Indic), which int() reads.
# "14/05/2024 03:10", with seconds when there are any ("…03:10:27.5"), and in the hour the clocks go back the
# zone that says which of the two ("27/10/2024 01:30 GMT", or an offset "+00:00"): what `format_uk` writes.
_UK_FORMAT = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(?:\s*(BST|GMT|UTC|Z|[+-]\d{2}:\d{2}))?$",
    re.ASCII | re.IGNORECASE,
)
_ZONE_NAMES = {"BST": "+01:00", "GMT": "+00:00", "UTC": "+00:00", "Z": "+00:00"}


class LocalTimeError(ValueError):
    """A text that is not a usable date-time; the message says why."""


def _from_uk_format(text: str) -> datetime | None:
    match = _UK_FORMAT.match(text)
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups()[:5])
    second, fraction, zone = match.group(6), match.group(7), match.group(8)
    try:
        naive = datetime(year, month, day, hour, minute, int(second or 0),  # noqa: DTZ001 - localised below
                         int((fraction or "").ljust(6, "0")))
    except ValueError as exc:  # e.g. 31/02/2024 or 25:00
        raise LocalTimeError(f"'{text}' is not a real date and time ({exc})") from None
    if zone is None:
        return naive  # localised by the caller
    offset = _ZONE_NAMES.get(zone.upper(), zone)
    return datetime.fromisoformat(f"{naive.isoformat()}{offset}")


def localise(naive: datetime) -> datetime:
    """Attach Europe/London to a wall-clock time, refusing gaps and ambiguous times."""
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # The two folds disagree: either the time was skipped (gap) or it happened twice (overlap).
    round_trip = first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    if round_trip != naive:
        raise LocalTimeError(
            f"{naive:%d/%m/%Y %H:%M} does not exist in UK time (the clocks went forward an hour)"
        )
    raise LocalTimeError(
        f"{naive:%d/%m/%Y %H:%M} happened twice in UK time (the clocks went back): add the zone or offset, BST "
        f"(+01:00) for the first or GMT (+00:00) for the second, e.g. {naive:%d/%m/%Y %H:%M} GMT"
    )


_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2199


def parse_local_datetime(text: str) -> datetime:
    """Parse ISO 8601 (with or without offset) or dd/mm/yyyy hh:mm into an aware datetime."""
    text = text.strip()
    value = _from_uk_format(text)
    if value is None:
        try:
            value = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            raise LocalTimeError(
                f"'{text}' is not a date and time: use YYYY-MM-DDTHH:MM or DD/MM/YYYY HH:MM"
            ) from None
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        # Far-off years are typing errors, and year 1 with an offset overflows when converted to UTC.
        raise LocalTimeError(f"'{text}' has the year {value.year}: "
                             f"enter a year from {_EARLIEST_YEAR} to {_LATEST_YEAR}")
    if value.tzinfo is None:
        return localise(value)
    return value


def format_local(value: datetime | None) -> str:
    """ISO form in UK local time with its offset, so the text is never ambiguous (used by exports)."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    # Never drop precision: an export read back must give the same instant (dataset.md round trip).
    if local.microsecond:
        spec = "microseconds"
    elif local.second:
        spec = "seconds"
    else:
        spec = "minutes"
    return local.isoformat(timespec=spec)


def format_uk(value: datetime) -> str:
    """How people write a time: 14/05/2024 03:10 in UK local time (the audit trail; `core.audit.display`).

    Seconds appear only when there are any, so no difference is hidden. In the hour the clocks go back the
    zone is added (27/10/2024 01:30 GMT), so two readings an hour apart never read the same.
    """
    local = value.astimezone(LONDON)
    text = f"{local:%d/%m/%Y %H:%M}"
    if local.second or local.microsecond:
        text += f":{local:%S}" + (f".{local:%f}" if local.microsecond else "")
    try:
        localise(local.replace(tzinfo=None))
    except LocalTimeError:  # the wall time happened twice: say which
        return f"{text} {local.tzname()}"
    return text


def format_for_input(value: datetime | None) -> str:
    """What a form shows for editing: as people write it, 14/05/2024 03:10 (`format_uk`: seconds only when
    there are any, so saving the form unchanged changes nothing; the zone only in the hour that happens twice),
    which `parse_local_datetime` reads back to the same instant."""
    return "" if value is None else format_uk(value)


def minutes_between(start: datetime, end: datetime) -> float:
    """Exact minutes between two instants (no rounding; boundaries are inclusive elsewhere).

    Both are converted to UTC first: Python subtracts two datetimes sharing one tzinfo (e.g. both
    Europe/London) on the wall clock, which is an hour out across a clock change.
    """
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(minutes=1)


def london_date(value: datetime) -> date:
    """The Europe/London calendar date of an instant (period membership uses this)."""
    return value.astimezone(LONDON).date()
