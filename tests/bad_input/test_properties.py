"""Property-based tests (hypothesis): local-time parsing, the NHS number check and the case rules hold
for any input, not only the examples written by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.timeutil import LONDON, LocalTimeError, format_local, minutes_between, parse_local_datetime
from pathway import rules
from pathway.models import Case
from pathway.nhs_number import is_valid_nhs_number, validate_nhs_number
from units.models import Unit

ZONES = [UTC, LONDON, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Chatham")]
zones = st.one_of(st.sampled_from(ZONES),
                  st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))))
# One day inside the accepted years at each end, so the London date of the instant is still in range.
aware = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=zones,
                     allow_imaginary=False)
DATE_ALPHABET = "0123456789/:-+TZ .,"


# --- core.timeutil --------------------------------------------------------------------------------------


@given(aware)
def test_format_then_parse_gives_the_same_instant(value: datetime) -> None:
    parsed = parse_local_datetime(format_local(value))
    # Compared in UTC: Python's == between two time zones is always False for a time in a fold (PEP 495).
    assert parsed.astimezone(UTC) == value.astimezone(UTC)
    assert parsed.utcoffset() == value.astimezone(LONDON).utcoffset()


@given(st.one_of(st.text(), st.text(alphabet=DATE_ALPHABET, max_size=40)))
@settings(max_examples=500)
def test_any_text_parses_to_an_aware_time_or_a_local_time_error(text: str) -> None:
    try:
        value = parse_local_datetime(text)
    except LocalTimeError as exc:
        assert str(exc)  # always a message for the person who typed it
    else:
        assert value.tzinfo is not None and 1900 <= value.year <= 2199


@given(aware, aware)
def test_minutes_between_counts_real_time_across_clock_changes(start: datetime, end: datetime) -> None:
    minutes = minutes_between(start, end)
    assert minutes == -minutes_between(end, start)
    # The same on London wall clocks (where Python's own subtraction is an hour out across a change).
    assert minutes == minutes_between(start.astimezone(LONDON), end.astimezone(LONDON))
    assert minutes == pytest.approx((end.timestamp() - start.timestamp()) / 60, abs=1e-6)


# --- pathway.nhs_number ---------------------------------------------------------------------------------


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


nhs_numbers = st.text(alphabet="0123456789", min_size=9, max_size=9).map(_with_check_digit).filter(bool)


@given(nhs_numbers)
def test_generated_numbers_pass(number: str) -> None:
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


@given(nhs_numbers, st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_is_rejected(number: str, position: int, shift: int) -> None:
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1:]
    assert not is_valid_nhs_number(changed)


@given(st.text(max_size=14))
def test_arbitrary_text_is_only_valid_when_it_is_ten_checked_ascii_digits(text: str) -> None:
    if is_valid_nhs_number(text):
        assert len(text) == 10 and text.isascii() and text.isdigit() and _with_check_digit(text[:9]) == text


# --- pathway.rules --------------------------------------------------------------------------------------


def _value_strategy(field: models.Field, units: list[Unit]) -> st.SearchStrategy[object]:
    """What a form, the import or the API can hand the rules for this field (typed, or empty)."""
    empty = st.sampled_from([None, ""])
    if isinstance(field, models.DateTimeField):
        return st.one_of(empty, aware)
    if isinstance(field, models.ForeignKey):
        return st.one_of(st.none(), st.sampled_from(units))
    if field.choices and isinstance(field, models.IntegerField):
        # Typed by every interface (form, import, API) before the rules see it: a choice or None.
        return st.one_of(st.none(), st.sampled_from([value for value, _ in field.flatchoices]), st.integers(-5, 9))
    if field.choices:
        return st.one_of(empty, st.sampled_from([value for value, _ in field.flatchoices]), st.text(max_size=8))
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return st.one_of(st.none(), st.integers(-10_000, 10_000))
    if isinstance(field, models.DateField):
        return st.one_of(st.none(), st.dates())
    return st.one_of(empty, st.text(max_size=20))


@pytest.mark.django_db
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_random_case_values_never_crash_the_rules(network: object, data: st.DataObject) -> None:
    units = list(Unit.objects.all())
    assume(units)
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key and f.editable]
    values = {f.name: data.draw(_value_strategy(f, units), label=f.name)
              for f in fields if data.draw(st.booleans(), label=f"has {f.name}")}

    violations = rules.hard_violations(values)
    flags = rules.soft_flags(values)

    field_names = {f.name for f in Case._meta.get_fields()}
    assert all(v.field in field_names and v.rule and v.message for v in violations)
    assert set(flags) <= set(rules.SOFT_MESSAGES)
    for name in rules.REQUIRED:
        assert (values.get(name) in (None, "")) == any(v.rule == "required" and v.field == name for v in violations)
