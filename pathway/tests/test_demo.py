"""Demo data: realistic (domain.md §9), always valid (every rule of dataset.md), reproducible, and loaded
only into an empty database, with one login per role."""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models

from core import audit
from core.timeutil import LONDON
from pathway import demo, disability, rules, services
from pathway.dataset import V2_COLUMNS
from pathway.models import Case, TemperatureObservation
from pathway.nhs_number import is_valid_nhs_number
from units.demo_users import DEMO_PASSWORD, DEMO_USERS, demo_users_ensure
from units.models import Membership, Role, Unit
from units.reference import UNITS

# The day after the spring clock change: the newest cases are mid-cooling across it.
AS_OF = date(2025, 3, 31)
SNAPSHOT = demo.snapshot_instant(AS_OF)
# Units as the rules see them, without a database (only the cooling-centre flag matters).
UNSAVED_UNITS = {row["ods"]: Unit(ods_code=row["ods"], is_cooling_centre=row["cooling_centre"],
                                  designation=row["designation"]) for row in UNITS}
UNIT_FIELDS = ("birth_unit", "cooling_centre", "transport_service")
DATETIME_FIELDS = [f.name for f in Case._meta.get_fields() if isinstance(f, models.DateTimeField)
                   and f.name not in ("created_at", "updated_at")]

Cases = list[dict[str, Any]]
FOLLOW_UP_BLANK = {"bayley_version": "", "bayley_cognitive": None, "gmfcs_level": None, "vision": "", "hearing": "",
                   "epilepsy": "", "cerebral_palsy": ""}


@pytest.fixture(scope="module")
def five_years() -> Cases:
    return demo.generate(random.Random(2026), as_of=AS_OF, years=5)


def cooled(cases: Sequence[Mapping[str, Any]]) -> Cases:
    return [dict(c) for c in cases if c["therapeutic_hypothermia"] == "yes"]


def is_outborn(case: Mapping[str, Any]) -> bool:
    return bool(case.get("cooling_centre")) and case["cooling_centre"] != case["birth_unit"]


def minutes_after_zero(case: Mapping[str, Any], field: str) -> float | None:
    if case.get(field) is None:
        return None
    zero = case.get("postnatal_collapse_datetime") or case["birth_datetime"]
    return (case[field] - zero) / timedelta(minutes=1)


def median_minutes(cases: Sequence[Mapping[str, Any]], field: str) -> float:
    values = [m for c in cases if (m := minutes_after_zero(c, field)) is not None]
    return statistics.median(values)


def cooling_start(case: Mapping[str, Any]) -> float | None:
    starts = [m for f in ("passive_cooling_start", "active_cooling_start")
              if (m := minutes_after_zero(case, f)) is not None]
    return min(starts) if starts else None


# --- the generator (no database) ------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "as_of", "years"), [
    (2026, AS_OF, 5), (1, date(2024, 10, 28), 2), (7, date(2023, 3, 1), 1), (99, date(2024, 2, 29), 3),
])
def test_every_generated_case_passes_the_field_and_cross_field_rules(seed: int, as_of: date, years: int) -> None:
    cases = demo.generate(random.Random(seed), as_of=as_of, years=years)

    problems = {c["case_ref"]: rules.hard_violations(demo.resolve_units(c, UNSAVED_UNITS)) for c in cases}
    assert {ref: v for ref, v in problems.items() if v} == {}
    for case in cases:  # per-field types and ranges (model validators), without the database
        fields = {name: value for name, value in case.items() if name not in UNIT_FIELDS}
        Case(**fields).clean_fields(exclude=[*UNIT_FIELDS, "created_by", "updated_by"])


@pytest.mark.parametrize("seed", [2026, 3, 11])
def test_nothing_happens_after_the_snapshot(seed: int) -> None:
    cases = demo.generate(random.Random(seed), as_of=AS_OF, years=2)

    late = [(c["case_ref"], name) for c in cases for name, value in c.items()
            if isinstance(value, datetime) and value > SNAPSHOT]
    assert late == []
    assert all(c["followup_2y_date"] < AS_OF for c in cases if c.get("followup_2y_date"))
    assert max(c["birth_datetime"] for c in cases) <= SNAPSHOT - demo.LAST_BIRTH_GAP


def test_same_seed_same_cases_and_another_seed_other_cases() -> None:
    first = demo.generate(random.Random(5), as_of=AS_OF, years=2)

    assert demo.generate(random.Random(5), as_of=AS_OF, years=2) == first
    assert demo.generate(random.Random(6), as_of=AS_OF, years=2) != first


def test_cooled_babies_per_network_year_and_referred_not_cooled(five_years: Cases) -> None:
    for start, end in demo.network_years(AS_OF, 5):
        born = [c for c in five_years if start <= c["birth_datetime"] < end]
        n_cooled = len(cooled(born))
        assert 60 <= n_cooled <= 110, (start, n_cooled)
        assert 0.10 <= (len(born) - n_cooled) / len(born) <= 0.25, start


def test_outborn_share_and_where_babies_are_born(five_years: Cases) -> None:
    th = cooled(five_years)
    outborn = [c for c in th if is_outborn(c)]
    centres = {row["ods"] for row in UNITS if row["cooling_centre"]}

    assert 0.55 <= len(outborn) / len(th) <= 0.75
    assert all(c["birth_unit"] not in centres for c in outborn)
    assert all(c["cooling_centre"] in centres for c in th)
    # Inborn babies are cooled where they were born.
    assert all(c["cooling_centre"] == c["birth_unit"] for c in th if not is_outborn(c))
    # Referrals follow unit size: Watford (largest) is among the top three, Hinchingbrooke (smallest) is not.
    top_three = [ods for ods, _ in Counter(c["birth_unit"] for c in outborn).most_common(3)]
    assert "RWG02" in top_three
    assert "RGN90" not in top_three


def test_baby_and_severity_distributions(five_years: Cases) -> None:
    th = cooled(five_years)
    weeks = [c["gestation_weeks"] + c["gestation_days"] / 7 for c in th]
    grades = [c["hie_grade"] for c in th if c.get("hie_grade") is not None]

    assert 39.0 <= statistics.mean(weeks) <= 40.0
    assert 0.01 <= sum(w < 36 for w in weeks) / len(weeks) <= 0.07
    assert 3100 <= statistics.mean(c["birth_weight_g"] for c in th) <= 3500
    assert 0.55 <= sum(c["sex"] == "male" for c in th) / len(th) <= 0.75
    assert 0.40 <= grades.count(2) / len(grades) <= 0.70
    assert 0.20 <= grades.count(3) / len(grades) <= 0.45
    assert 0.04 <= sum(c.get("outcome") == "died" for c in th) / len(th) <= 0.15


def test_pathway_times_and_the_network_improving(five_years: Cases) -> None:
    th = cooled(five_years)
    outborn = [c for c in th if is_outborn(c)]
    targets = [m for c in th if (m := minutes_after_zero(c, "target_temp_reached")) is not None]

    assert 60 <= median_minutes(outborn, "referral_datetime") <= 110
    assert 130 <= median_minutes(th, "active_cooling_start") <= 210
    assert 180 <= statistics.median(targets) <= 280
    assert 0.75 <= sum(m <= 360 for m in targets) / len(targets) <= 0.95
    (first_start, _), *_, (last_start, _) = demo.network_years(AS_OF, 5)
    oldest = [s for c in th if c["birth_datetime"] < first_start + timedelta(days=365) and (s := cooling_start(c))]
    newest = [s for c in th if c["birth_datetime"] >= last_start and (s := cooling_start(c))]
    assert statistics.median(oldest) > 1.5 * statistics.median(newest)


def test_some_values_missing_and_some_soft_flags(five_years: Cases) -> None:
    blanks = sum(1 for c in five_years for name in demo.MISSABLE if c.get(name) in (None, ""))
    flags = {flag for c in five_years for flag in rules.soft_flags(demo.resolve_units(c, UNSAVED_UNITS))}

    assert blanks > 0.02 * len(five_years)
    assert {"preterm_cooled", "mild_or_no_hie_cooled"} <= flags


# --- v2 values (pathway.demo_journey) ------------------------------------------------------------------


def test_v2_values_leave_the_v1_values_exactly_as_they_were(five_years: Cases) -> None:
    """The v2 values come from a generator of their own: dropping them gives back the v1 demo, value for
    value, so the v1 KPI figures (tests/figures) cannot move. The team's bedside arrival was already drawn."""
    v2 = set(V2_COLUMNS) - {"transport_team_arrived_datetime", "transport_service_ods"} | {"transport_service"}
    again = demo.generate(random.Random(2026), as_of=AS_OF, years=5)
    assert [{k: v for k, v in c.items() if k not in v2} for c in again] == \
        [{k: v for k, v in c.items() if k not in v2} for c in five_years]


def test_most_scans_have_the_protocol_sequences_and_a_mix_of_patterns(five_years: Cases) -> None:
    scanned = [c for c in five_years if c.get("mri_performed") == "yes"]
    protocol = [c for c in scanned if {"t1", "t2", "dwi", "mrs"} <= set(c.get("mri_sequences") or [])]
    assert 0.75 <= len(protocol) / len(scanned) <= 0.95
    patterns = Counter(c.get("mri_injury_pattern") for c in scanned)
    assert 0.25 <= patterns["normal"] / len(scanned) <= 0.5
    assert {"basal_ganglia_thalamus", "watershed", "near_total", "white_matter"} <= set(patterns)
    grade3 = [c for c in scanned if c.get("hie_grade") == 3 and c.get("mri_injury_pattern")]
    grade2 = [c for c in scanned if c.get("hie_grade") == 2 and c.get("mri_injury_pattern")]
    severe = {"basal_ganglia_thalamus", "near_total"}
    share = lambda group: sum(c["mri_injury_pattern"] in severe for c in group) / len(group)  # noqa: E731
    assert share(grade3) > 2 * share(grade2)


def test_some_babies_not_cooled_have_a_decision_and_a_reason(five_years: Cases) -> None:
    referred = [c for c in five_years if c["therapeutic_hypothermia"] == "no" and c.get("referral_datetime")]
    reasons = Counter(c.get("not_cooled_reason") for c in referred if c.get("referral_decision"))
    assert sum(reasons.values()) >= 0.85 * len(referred)
    assert "" not in reasons and None not in reasons
    assert len(reasons) >= 4


def test_about_a_quarter_die_or_have_moderate_or_severe_disability(five_years: Cases) -> None:
    old_enough = demo.months_before(AS_OF, 30)
    cohort = [c for c in cooled(five_years) if c["birth_datetime"].date() <= old_enough
              and c.get("followup_2y") != "moved_out"]
    died = sum(c.get("outcome") == "died" for c in cohort)
    found = [disability.classify(SimpleNamespace(**{**FOLLOW_UP_BLANK, **c})) for c in cohort
             if c.get("outcome") != "died" and c.get("followup_2y") == "completed"]
    known = [f for f in found if f is not None and f.level != disability.Disability.UNCLASSIFIABLE]
    poor = died + sum(f.moderate_or_severe for f in known)
    assert 0.18 <= poor / (died + len(known)) <= 0.32


def test_transport_team_times_in_order_for_every_moved_baby(five_years: Cases) -> None:
    moved = [c for c in five_years if c.get("transport_service")]
    assert moved and all(c["transport_service"] == "RGT-PANDR" for c in moved)
    assert all(is_outborn(c) for c in moved)
    for c in moved:
        times = [c.get(f) for f in ("referral_datetime", "transport_team_mobilised_datetime",
                                     "transport_team_arrived_datetime", "depart_referring_datetime")]
        present = [t for t in times if t is not None]
        assert present == sorted(present, key=lambda t: t.astimezone(UTC)), c["case_ref"]


def test_case_refs_and_nhs_numbers(five_years: Cases) -> None:
    refs = [c["case_ref"] for c in five_years]
    numbers = [c["nhs_number"] for c in five_years if c["nhs_number"]]

    assert all(re.fullmatch(r"EOE-(\d{4})-\d{4}", ref) for ref in refs)
    assert all(ref[4:8] == str(c["birth_datetime"].year) for ref, c in zip(refs, five_years, strict=True))
    assert len(set(refs)) == len(refs)
    assert 0.25 <= len(numbers) / len(five_years) <= 0.42
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)


def test_times_are_local_and_some_births_fall_on_clock_change_nights(five_years: Cases) -> None:
    births = [c["birth_datetime"] for c in five_years]
    changes = demo.clock_changes(births[0], SNAPSHOT)

    assert all(b.tzinfo == LONDON for b in births)
    assert len(changes) == 10
    for change in changes:
        assert any(abs(b - change) <= timedelta(minutes=75) for b in births), change


def test_two_year_follow_up_only_for_survivors_born_30_months_before(five_years: Cases) -> None:
    cutoff = demo.months_before(AS_OF, 30)
    with_status = [c for c in five_years if c.get("followup_2y")]

    assert with_status
    assert all(c["birth_datetime"].date() <= cutoff and c.get("outcome") == "alive" for c in with_status)
    done = [c for c in with_status if c["followup_2y"] == "completed"]
    assert 0.55 <= len(done) / len(with_status) <= 0.85


def test_recent_babies_are_still_on_the_pathway(five_years: Cases) -> None:
    recent = [c for c in five_years if c["birth_datetime"] > SNAPSHOT - timedelta(days=4)]

    assert len(recent) >= 3
    assert all(not c.get("discharge_datetime") and not c.get("mri_datetime") for c in recent)
    assert any(c["therapeutic_hypothermia"] == "yes" and not c.get("rewarming_start") for c in recent)


# --- seed_demo, on the database --------------------------------------------------------------------


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def stored_values() -> list[tuple[str, ...]]:
    """Every dataset value of every case (and its temperatures) as text, in case_ref order."""
    rows = []
    for case in Case.objects.order_by("case_ref").select_related("birth_unit", "cooling_centre"):
        values = services.case_values(case)
        temps = [f"{t.observed_at.isoformat()} {t.temp_c} {t.site}" for t in case.temperatures.all()]
        rows.append((*(audit.display(values[f]) for f in values), *temps))
    return rows


@pytest.mark.django_db
def test_full_five_year_seed_is_valid_consistent_and_in_the_past() -> None:
    output = seed_demo("--as-of", AS_OF.isoformat())

    cases = list(Case.objects.select_related("birth_unit", "cooling_centre"))
    assert len(cases) == len(demo.generate(random.Random(2026), as_of=AS_OF, years=5))
    assert f"Loaded {len(cases)} demo cases" in output
    assert [c.case_ref for c in cases if rules.hard_violations(services.case_values(c))] == []
    assert sum(bool(c.dq_flags) for c in cases) > 0
    for start, end in demo.network_years(AS_OF, 5):
        assert 60 <= Case.objects.cooled().filter(birth_datetime__gte=start, birth_datetime__lt=end).count() <= 110
    latest = [max(filter(None, row)) for row in Case.objects.values_list(*DATETIME_FIELDS)]
    assert max(latest) <= SNAPSHOT
    assert not Case.objects.filter(followup_2y_date__gte=AS_OF).exists()
    # The temperature charts agree with the recorded values: adding them changed no case.
    assert TemperatureObservation.objects.filter(observed_at__gt=SNAPSHOT).count() == 0
    assert Case.objects.filter(temperatures__isnull=False).distinct().count() == demo.TEMPERATURE_SAMPLE
    assert set(Case.objects.values_list("version", flat=True)) == {1}
    assert {"cooling", "discharged", "complete", "died"} <= set(Case.objects.values_list("stage", flat=True))
    assert set(Case.objects.values_list("created_by__username", flat=True)) == {"nurse"}


@pytest.mark.django_db
def test_same_seed_and_as_of_give_identical_cases() -> None:
    seed_demo("--as-of", AS_OF.isoformat(), "--years", "1", "--seed", "17")
    first = stored_values()
    Case.objects.all().delete()

    seed_demo("--as-of", AS_OF.isoformat(), "--years", "1", "--seed", "17")

    assert stored_values() == first
    assert len(first) > 60


@pytest.mark.django_db
def test_if_empty_does_nothing_once_cases_exist() -> None:
    seed_demo("--as-of", AS_OF.isoformat(), "--years", "1", "--if-empty")
    count = Case.objects.count()

    output = seed_demo("--as-of", AS_OF.isoformat(), "--years", "1", "--if-empty")

    assert Case.objects.count() == count
    assert "not loaded" in output
    with pytest.raises(CommandError, match="already holds"):
        seed_demo("--as-of", AS_OF.isoformat(), "--years", "1")


@pytest.mark.django_db
def test_as_of_in_the_future_is_refused() -> None:
    with pytest.raises(CommandError, match="future"):
        seed_demo("--as-of", (date.today() + timedelta(days=2)).isoformat())
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_one_demo_user_per_role_with_the_documented_password(network: object) -> None:
    demo_users_ensure()
    demo_users_ensure()  # idempotent

    User = get_user_model()
    assert User.objects.count() == len(DEMO_USERS) == 8  # with the regional lead (issue 18)
    memberships = {(m.user.username, m.role, m.unit.ods_code)
                   for m in Membership.objects.select_related("user", "unit")}
    assert memberships == {
        ("nurse", Role.NURSE_SPECIALIST, "RGT01"),
        ("consultant", Role.CONSULTANT, "RGT01"),
        ("clinician", Role.UNIT_CLINICIAN, "RWG02"),
        ("lead", Role.NETWORK_LEAD, "RGT01"),
        ("admin", Role.ADMINISTRATOR, "RGT01"),
        ("radiologist", Role.RADIOLOGIST, "RGT01"),
        ("transport", Role.TRANSPORT_TEAM, "RGT-PANDR"),
        ("regional", Role.REGIONAL_LEAD, "RGT01"),
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(username="admin").filter(is_staff=True).exists()


@pytest.mark.django_db
def test_demo_logins_lists_the_users_or_says_how_to_create_them(network: object) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "run `python manage.py seed_demo`" in out.getvalue()

    demo_users_ensure()
    out = StringIO()
    call_command("demo_logins", stdout=out)

    table = out.getvalue()
    assert "http://127.0.0.1:8000/" in table
    for spec in DEMO_USERS:
        assert re.search(rf"^\s+{spec.username}\s+{DEMO_PASSWORD}\s", table, re.MULTILINE)
    assert "Watford (RWG02)" in table
    assert "Cooling-centre consultant" in table


def test_references_and_nhs_numbers_are_pinned_for_a_seed() -> None:
    """The same seed has always given these identities (a changed draw order would shift every demo case)."""
    cases = demo.generate(random.Random(7), as_of=date(2025, 11, 1), years=1)
    assert [(c["case_ref"], c["nhs_number"]) for c in cases[:6]] == [
        ("EOE-2024-0001", "9992880724"), ("EOE-2024-0002", ""), ("EOE-2024-0003", ""),
        ("EOE-2024-0004", "9999829651"), ("EOE-2024-0005", "9993192546"), ("EOE-2024-0006", "9995613042")]
    assert (len(cases), sum(bool(c["nhs_number"]) for c in cases), cases[-1]["case_ref"]) == (111, 44, "EOE-2025-0085")
    numbers = [c["nhs_number"] for c in cases if c["nhs_number"]]
    assert len(set(numbers)) == len(numbers)
