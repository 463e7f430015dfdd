"""CaseFacts: derived values on exact instants, and facts_from_case on a saved case (query count pinned)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.facts import RELATED_UNITS, CaseFacts, facts_from_case, minutes_between
from kpis.registry import evaluate_all
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, BIRTH, INBORN, SPRING_BIRTH, at, make_facts
from pathway.models import Case
from pathway.services import case_create


def test_time_zero_is_birth_without_collapse() -> None:
    assert make_facts().time_zero == BIRTH


def test_time_zero_is_postnatal_collapse_when_set() -> None:
    facts = make_facts(postnatal_collapse_datetime=at(90))
    assert facts.time_zero == at(90)
    assert facts.minutes_from_zero(at(100)) == 10.0


def test_cooling_start_is_the_earliest_start() -> None:
    assert make_facts(passive_cooling_start=at(50), active_cooling_start=at(40)).cooling_start == at(40)
    assert make_facts(passive_cooling_start=None, active_cooling_start=at(40)).cooling_start == at(40)
    assert make_facts(passive_cooling_start=None, active_cooling_start=None).cooling_start is None


def test_cooling_start_orders_the_repeated_hour_by_instant() -> None:
    # 01:40 BST (first 01:40) is 00:40 UTC; 01:20 GMT (second 01:20) is 01:20 UTC. The wall clock says the
    # opposite, and Python compares two Europe/London datetimes on the wall clock.
    passive = datetime(2024, 10, 27, 1, 40, tzinfo=LONDON)
    active = datetime(2024, 10, 27, 1, 20, fold=1, tzinfo=LONDON)
    facts = make_facts(birth_datetime=AUTUMN_BIRTH, passive_cooling_start=passive, active_cooling_start=active)
    # Compared in UTC: Python never calls a time in the repeated hour equal to a time in another zone (PEP 495).
    assert facts.cooling_start == passive.astimezone(UTC)
    assert facts.minutes_from_zero(facts.cooling_start) == 70.0


@pytest.mark.parametrize(("birth", "moment", "minutes"), [
    pytest.param(SPRING_BIRTH, datetime(2024, 3, 31, 7, 30, tzinfo=LONDON), 360.0, id="spring: wall clock 420"),
    pytest.param(AUTUMN_BIRTH, datetime(2024, 10, 27, 5, 30, tzinfo=LONDON), 360.0, id="autumn: wall clock 300"),
    pytest.param(BIRTH, BIRTH + timedelta(seconds=90), 1.5, id="seconds kept, no rounding"),
    pytest.param(BIRTH, BIRTH.astimezone(UTC) + timedelta(minutes=5), 5.0, id="mixed zones"),
])
def test_minutes_from_zero_on_exact_instants(birth: datetime, moment: datetime, minutes: float) -> None:
    assert make_facts(birth_datetime=birth).minutes_from_zero(moment) == minutes
    assert minutes_between(birth, moment) == minutes


def test_minutes_from_zero_of_nothing_is_none() -> None:
    assert make_facts().minutes_from_zero(None) is None


def test_datetimes_are_held_in_utc() -> None:
    facts = make_facts(birth_datetime=SPRING_BIRTH)
    assert facts.birth_datetime.tzinfo is UTC
    assert facts.birth_datetime == SPRING_BIRTH


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="rewarming_end must be an aware datetime"):
        make_facts(rewarming_end=datetime(2024, 5, 17, 12, 0))


def test_outborn_means_birth_unit_is_not_the_cooling_centre() -> None:
    assert make_facts().is_outborn
    assert not make_facts(**INBORN).is_outborn
    assert not make_facts(cooling_centre_ods=None).is_outborn


@pytest.mark.parametrize(("weeks", "days", "at_least_37"), [(36, 6, False), (37, 0, True), (41, 3, True)])
def test_gestation_in_completed_weeks_and_days(weeks: int, days: int, at_least_37: bool) -> None:
    facts = make_facts(gestation_weeks=weeks, gestation_days=days)
    assert facts.gestation_total_days == weeks * 7 + days
    assert facts.gestation_at_least(37, 0) is at_least_37


def test_birth_date_is_the_london_calendar_date() -> None:
    # 00:30 BST on 1 Oct is 23:30 UTC on 30 Sep.
    facts = make_facts(birth_datetime=datetime(2021, 10, 1, 0, 30, tzinfo=LONDON))
    assert str(facts.birth_date_london) == "2021-10-01"


def test_facts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_facts().outcome = "died"  # type: ignore[misc]


@pytest.mark.django_db
def test_facts_from_case_reads_a_saved_case_in_one_query(
    people: Personas, django_assert_num_queries: pytest.FixtureDef
) -> None:
    created = case_create(values=cooled_case_values(case_ref="KPI-0001", lowest_temp_before_arrival_c=Decimal("32.8"),
                                                    postnatal_collapse_datetime=None),
                          by=people.nurse)

    with django_assert_num_queries(1):  # the case row with both units joined, nothing more
        case = Case.objects.select_related(*RELATED_UNITS).get(pk=created.pk)
        facts = facts_from_case(case)
        outcomes = evaluate_all(facts, AS_OF)

    assert facts.case_id == case.pk
    assert facts.case_ref == "KPI-0001"
    assert (facts.birth_unit_ods, facts.cooling_centre_ods) == ("RWG02", "RGT01")
    assert facts.is_outborn is case.is_outborn is True
    assert facts.birth_unit_is_nicu is False  # Watford is a local neonatal unit
    assert facts.lowest_temp_before_arrival_c == Decimal("32.8")
    # Every fact named like a case field carries that field's value.
    shared = [f.name for f in dataclasses.fields(CaseFacts)
              if hasattr(Case, f.name) and f.name not in ("case_id", "mri_sequences")]
    assert len(shared) > 25
    assert {name: getattr(facts, name) for name in shared} == {name: getattr(case, name) for name in shared}
    assert facts.mri_sequences == frozenset(case.mri_sequences)  # a set: the KPI asks "includes all four"
    assert facts.time_zero == case.time_zero
    assert facts.cooling_start == case.cooling_start
    assert outcomes["overcooling_before_centre"] == "met"
    assert outcomes["cooling_started_6h"] == "met"


@pytest.mark.django_db
def test_facts_from_a_case_without_cooling_centre(
    people: Personas, django_assert_num_queries: pytest.FixtureDef
) -> None:
    created = case_create(values=cooled_case_values(case_ref="KPI-0002", therapeutic_hypothermia="no",
                                                    cooling_centre=None, passive_cooling_start=None,
                                                    active_cooling_start=None, target_temp_reached=None,
                                                    rewarming_start=None, rewarming_end=None,
                                                    depart_referring_datetime=None, arrive_centre_datetime=None,
                                                    core_monitoring_start=None, lowest_temp_before_arrival_c=None,
                                                    arrival_temp_c=None, transport_cooling=""),
                          by=people.nurse)
    with django_assert_num_queries(1):
        facts = facts_from_case(Case.objects.select_related(*RELATED_UNITS).get(pk=created.pk))
    assert facts.cooling_centre_ods is None
    assert not facts.is_outborn
    outcomes = evaluate_all(facts, AS_OF)
    # Every referral counts for its decision, cooled or not (kpis.md v2), and grade 2 HIE for incidence.
    assert (outcomes.pop("referral_decision_recorded"), outcomes.pop("hie_incidence_per_1000")) == ("not_met", "met")
    assert set(outcomes.values()) == {"not_eligible"}
