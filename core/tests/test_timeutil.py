"""Local time parsing and formatting at the UK clock changes (dataset.md "Date-times").

2024 clock changes: 31 March 01:00 GMT → 02:00 BST (01:00–01:59 never happens), 27 October 02:00 BST →
01:00 GMT (01:00–01:59 happens twice).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.timeutil import (
    LONDON,
    LocalTimeError,
    format_for_input,
    format_local,
    london_date,
    minutes_between,
    parse_local_datetime,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]  # the stubs cannot follow *args here


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        # ISO with an offset: taken as written.
        ("2024-07-01T12:00+01:00", utc(2024, 7, 1, 11, 0)),
        ("2024-07-01T12:00+00:00", utc(2024, 7, 1, 12, 0)),
        ("2024-07-01T12:00Z", utc(2024, 7, 1, 12, 0)),
        ("2024-07-01T12:00:30-05:00", utc(2024, 7, 1, 17, 0, 30)),
        # ISO without an offset: UK local time, BST in summer and GMT in winter.
        ("2024-07-01T12:00", utc(2024, 7, 1, 11, 0)),
        ("2024-01-15T12:00", utc(2024, 1, 15, 12, 0)),
        ("2024-07-01 12:00", utc(2024, 7, 1, 11, 0)),
        ("  2024-07-01T12:00  ", utc(2024, 7, 1, 11, 0)),
        # Either side of the gaps and overlaps: real, unambiguous times.
        ("2024-03-31T00:59", utc(2024, 3, 31, 0, 59)),
        ("2024-03-31T02:00", utc(2024, 3, 31, 1, 0)),
        ("2024-10-27T00:59", utc(2024, 10, 26, 23, 59)),
        ("2024-10-27T02:00", utc(2024, 10, 27, 2, 0)),
        # DD/MM/YYYY HH:MM, as typed from paper notes.
        ("01/07/2024 12:00", utc(2024, 7, 1, 11, 0)),
        ("1/7/2024 09:05", utc(2024, 7, 1, 8, 5)),
        ("15/01/2024 23:30", utc(2024, 1, 15, 23, 30)),
        ("15/01/2024T23:30", utc(2024, 1, 15, 23, 30)),
    ],
)
def test_parse_gives_the_instant(text: str, instant: datetime) -> None:
    parsed = parse_local_datetime(text)
    assert parsed.tzinfo is not None
    assert parsed.astimezone(UTC) == instant


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-13-01T00:00",
        "2024-02-30T10:00",
        "31/02/2024 10:00",  # no 31 February
        "32/01/2024 10:00",
        "01/01/2024 25:00",
        "01/01/24 10:00",
        "٠١/٠٧/٢٠٢٤ 12:00",  # Arabic-Indic digits
        "12:00",
    ],
)
def test_parse_refuses_garbage_with_a_local_time_error(text: str) -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_local_datetime(text)
    assert str(caught.value)


@pytest.mark.parametrize("text", ["2024-03-31T01:30", "2024-03-31T01:00", "2024-03-31 01:59", "31/03/2024 01:30"])
def test_spring_forward_gap_is_refused(text: str) -> None:
    with pytest.raises(LocalTimeError, match="clocks went forward"):
        parse_local_datetime(text)


@pytest.mark.parametrize("text", ["2024-10-27T01:30", "2024-10-27T01:00", "2024-10-27 01:59", "27/10/2024 01:30"])
def test_autumn_repeated_hour_without_offset_is_refused_and_asks_for_it(text: str) -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_local_datetime(text)
    message = str(caught.value)
    assert "clocks went back" in message
    assert "offset" in message
    assert "+01:00" in message
    assert "+00:00" in message


def test_autumn_repeated_hour_with_offsets_is_two_instants_an_hour_apart() -> None:
    first = parse_local_datetime("2024-10-27T01:30+01:00")
    second = parse_local_datetime("2024-10-27T01:30+00:00")
    assert first.astimezone(UTC) == utc(2024, 10, 27, 0, 30)
    assert second.astimezone(UTC) == utc(2024, 10, 27, 1, 30)
    assert minutes_between(first, second) == 60


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2024-03-31T00:30", "2024-03-31T06:50", 320),  # spring: 6 h 20 on the wall clock, 5 h 20 lived
        ("2024-10-27T00:30", "2024-10-27T06:50", 440),  # autumn: 6 h 20 on the wall clock, 7 h 20 lived
        ("2024-03-30T22:00", "2024-04-02T22:00", 71 * 60),  # 72 h of calendar, 71 h of cooling
        ("2024-10-25T22:00", "2024-10-28T22:00", 73 * 60),
        ("2024-10-27T01:30+01:00", "2024-10-27T01:10+00:00", 40),
        ("2024-07-01T12:00", "2024-07-01T11:00", -60),
        ("2024-07-01T12:00", "2024-07-01T12:00:30", 0.5),
    ],
)
def test_minutes_between_counts_real_minutes_across_clock_changes(start: str, end: str, minutes: float) -> None:
    assert minutes_between(parse_local_datetime(start), parse_local_datetime(end)) == minutes


def test_minutes_between_values_sharing_the_london_tzinfo() -> None:
    # Python subtracts datetimes with the same tzinfo on the wall clock; forms give exactly these.
    start = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)
    end = datetime(2024, 3, 31, 6, 50, tzinfo=LONDON)
    assert minutes_between(start, end) == 320
    late = utc(2024, 10, 27, 1, 10).astimezone(LONDON)  # 01:10 GMT, the second 01:10
    early = utc(2024, 10, 27, 0, 40).astimezone(LONDON)  # 01:40 BST
    assert minutes_between(early, late) == 30


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (utc(2024, 7, 1, 11, 0), "2024-07-01T12:00+01:00"),
        (utc(2024, 1, 15, 12, 0), "2024-01-15T12:00+00:00"),
        (utc(2024, 10, 27, 0, 30), "2024-10-27T01:30+01:00"),
        (utc(2024, 10, 27, 1, 30), "2024-10-27T01:30+00:00"),
        (utc(2024, 7, 1, 11, 0, 5), "2024-07-01T12:00:05+01:00"),
        (datetime(2024, 7, 1, 11, 0, 0, 250, tzinfo=UTC), "2024-07-01T12:00:00.000250+01:00"),
    ],
)
def test_format_local_shows_uk_time_with_its_offset_and_reads_back(instant: datetime, text: str) -> None:
    assert format_local(instant) == text
    assert parse_local_datetime(text) == instant


def test_format_local_of_nothing_is_empty() -> None:
    assert format_local(None) == ""
    assert format_for_input(None) == ""


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        # UK date-times in edit fields as everywhere else (issue 13): 14/05/2024 03:10.
        (utc(2024, 7, 1, 11, 0), "01/07/2024 12:00"),
        (utc(2024, 1, 15, 12, 0), "15/01/2024 12:00"),
        (utc(2024, 3, 31, 0, 59), "31/03/2024 00:59"),
        (utc(2024, 3, 31, 1, 0), "31/03/2024 02:00"),
        (utc(2024, 10, 26, 23, 59), "27/10/2024 00:59"),
        # Only the repeated hour needs the zone to say which one.
        (utc(2024, 10, 27, 0, 0), "27/10/2024 01:00 BST"),
        (utc(2024, 10, 27, 0, 30), "27/10/2024 01:30 BST"),
        (utc(2024, 10, 27, 1, 30), "27/10/2024 01:30 GMT"),
        (utc(2024, 10, 27, 1, 59), "27/10/2024 01:59 GMT"),
        (utc(2024, 10, 27, 2, 0), "27/10/2024 02:00"),
        # Seconds only when there are any, so a form saved unchanged changes nothing.
        (utc(2024, 7, 1, 11, 0, 27), "01/07/2024 12:00:27"),
    ],
)
def test_format_for_input_shows_offset_only_when_the_wall_time_is_ambiguous(instant: datetime, text: str) -> None:
    assert format_for_input(instant) == text
    assert parse_local_datetime(text) == instant


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (utc(2024, 7, 1, 22, 59), date(2024, 7, 1)),
        (utc(2024, 7, 1, 23, 0), date(2024, 7, 2)),  # midnight BST
        (utc(2024, 7, 1, 23, 30), date(2024, 7, 2)),
        (utc(2024, 12, 31, 23, 30), date(2024, 12, 31)),  # GMT: still New Year's Eve
        (utc(2024, 12, 31, 23, 59), date(2024, 12, 31)),
        (utc(2025, 1, 1, 0, 0), date(2025, 1, 1)),
        (datetime(2024, 7, 2, 0, 30, tzinfo=timezone(timedelta(hours=2))), date(2024, 7, 1)),
    ],
)
def test_london_date_is_the_uk_calendar_date(instant: datetime, day: date) -> None:
    assert london_date(instant) == day


ZONES = st.sampled_from([UTC, LONDON, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"),
                         timezone(timedelta(hours=-3, minutes=-30))])
INSTANTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31, 23, 59, 59, 999999),
                        timezones=ZONES, allow_imaginary=False)


@settings(database=None, max_examples=300)
@given(INSTANTS)
def test_format_local_then_parse_is_the_same_instant(instant: datetime) -> None:
    text = format_local(instant)
    parsed = parse_local_datetime(text)
    # Compare in UTC: Python's == between zones is False for any time in a repeated hour (PEP 495).
    assert parsed.astimezone(UTC) == instant.astimezone(UTC)
    assert parsed.utcoffset() == instant.astimezone(LONDON).utcoffset()


@settings(database=None, max_examples=300)
@given(INSTANTS)
def test_format_for_input_then_parse_is_the_same_instant(instant: datetime) -> None:
    assert parse_local_datetime(format_for_input(instant)).astimezone(UTC) == instant.astimezone(UTC)


@pytest.mark.parametrize(("text", "instant"), [
    ("27/10/2024 01:30 BST", utc(2024, 10, 27, 0, 30)),
    ("27/10/2024 01:30 gmt", utc(2024, 10, 27, 1, 30)),
    ("27/10/2024 01:30 +00:00", utc(2024, 10, 27, 1, 30)),
    ("14/05/2024 03:10:05.25", utc(2024, 5, 14, 2, 10, 5, 250000)),
])
def test_uk_text_with_a_zone_or_seconds_is_read(text: str, instant: datetime) -> None:
    assert parse_local_datetime(text).astimezone(UTC) == instant


@pytest.mark.parametrize("text", ["0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00", "01/01/1066 10:00"])
def test_far_off_years_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(LocalTimeError, match="enter a year from 1900"):
        parse_local_datetime(text)
