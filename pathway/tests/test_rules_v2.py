"""The v2 rules of the dataset (dataset.md "v2 additions"): each hard error both ways, and the new warnings.

Orders of the journey (exam ≥ birth, team mobilised ≥ referral ≤ arrived ≤ departure, second MRI after the
first) are in test_rules.py's ORDER table with the v1 ones.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from pathway import rules
from units.models import Unit

pytestmark = pytest.mark.usefixtures("network")

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)


def values(**overrides: Any) -> dict[str, Any]:
    return cooled_case_values(birth=BIRTH, **overrides)


def not_cooled(**overrides: Any) -> dict[str, Any]:
    return values(therapeutic_hypothermia="no", cooling_centre=None, passive_cooling_start=None,
                  active_cooling_start=None, target_temp_reached=None, rewarming_start=None, rewarming_end=None,
                  **overrides)


def followed(**overrides: Any) -> dict[str, Any]:
    return values(followup_2y="completed", followup_2y_date=date(2026, 5, 20), **overrides)


def broken(found: list[rules.Violation]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in found}


def errors_of(case: dict[str, Any]) -> set[tuple[str, str]]:
    return broken(rules.hard_violations(case))


# --- Around birth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "labour", "error"), [
    ("prelabour_caesarean", "yes", True),
    ("prelabour_caesarean", "no", False),
    ("prelabour_caesarean", "unknown", False),
    ("emergency_caesarean", "yes", False),
])
def test_prelabour_caesarean_after_labour(mode: str, labour: str, error: bool) -> None:
    found = rules.hard_violations(values(mode_of_delivery=mode, labour=labour))
    assert broken(found) == ({("mode_of_delivery", "prelabour_caesarean_with_labour")} if error else set())
    if error:
        assert "labour" in found[0].message


# --- Referral and transport -----------------------------------------------------------------------


@pytest.mark.parametrize(("cooled", "overrides", "expected"), [
    pytest.param(False, {"referral_decision": "do_not_cool"},
                 {("not_cooled_reason", "required_when.referral_decision")}, id="referred, not cooled, no reason"),
    pytest.param(False, {"referral_decision": "do_not_cool", "not_cooled_reason": "improved"}, set(),
                 id="with reason"),
    pytest.param(False, {}, set(), id="no decision recorded: no reason needed"),
    pytest.param(True, {"referral_decision": "cool", "not_cooled_reason": "over_6h"},
                 {("not_cooled_reason", "not_cooled_reason_when_cooled")}, id="cooled with a reason"),
    pytest.param(True, {"referral_decision": "cool"}, set(), id="cooled, no reason"),
])
def test_reason_not_cooled(cooled: bool, overrides: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    case = values(**overrides) if cooled else not_cooled(**overrides)
    assert errors_of(case) == expected


def test_transport_service_must_be_a_transport_unit() -> None:
    pandr = Unit.objects.get(ods_code="RGT-PANDR")
    assert errors_of(values(transport_service=pandr)) == set()
    found = rules.hard_violations(values(transport_service=Unit.objects.get(ods_code="RWG02")))
    assert broken(found) == {("transport_service", "transport_service_designation")}
    assert "TRANSPORT" in found[0].message


# --- Gated sections: MRI, follow-up, placenta, MNSI -------------------------------------------------

GATED = [
    ("mri_performed", "no", "mri_sequences", ["t1", "t2"]),
    ("mri_performed", "unknown", "mri_score_system", "weeke"),
    ("mri_performed", "", "mri_score_value", "11"),
    ("mri_performed", "no", "mri_injury_pattern", "watershed"),
    ("mri_performed", "no", "mri_mrs_lactate_naa", "0.30"),
    ("mri_performed", "no", "mri_reported_by", "Dr A Radiologist"),
    ("mri_performed", "no", "mri2_injury_pattern", "normal"),
    ("followup_2y", "not_done", "bayley_version", "iii"),
    ("followup_2y", "", "cerebral_palsy", "none"),
    ("followup_2y", "moved_out", "vision", "normal"),
    ("followup_2y", "unknown", "hearing", "aided"),
    ("followup_2y", "not_done", "epilepsy", "no"),
    ("followup_2y", "not_done", "followup_corrected_age_months", 24),
    ("placenta_sent", "no", "placenta_histology", "normal"),
    ("mnsi_referred", "no", "mnsi_reference", "MI-012345"),
]


@pytest.mark.parametrize(("gate", "gate_value", "field", "value"), GATED)
def test_a_detail_without_its_gate_is_an_error(gate: str, gate_value: str, field: str, value: Any) -> None:
    case = values(**{gate: gate_value, "mri_datetime": None, field: value})
    found = [v for v in rules.hard_violations(case) if v.field == field]
    assert [v.rule for v in found] == [f"only_when.{gate}"]
    assert rules.label(gate) in found[0].message


def test_an_empty_sequence_set_is_not_recorded() -> None:
    assert errors_of(values(mri_performed="no", mri_datetime=None, mri_sequences=[])) == set()


def test_details_with_their_gates_are_fine() -> None:
    case = followed(mri_sequences=["t1", "t2", "dwi", "mrs"], mri_score_system="nichd_nrn", mri_score_value="2A",
                    mri_injury_pattern="basal_ganglia_thalamus", mri_mrs_lactate_naa="0.45",
                    mri_reported_by="Dr A Radiologist", placenta_histology="infarction", mnsi_reference="MI-1",
                    followup_corrected_age_months=24, bayley_version="iii", bayley_cognitive=85,
                    bayley_language=90, bayley_motor=80, cerebral_palsy="none", vision="normal", hearing="normal",
                    epilepsy="no")
    assert errors_of(case) == set()


# --- Discharge destination and Early Notification ------------------------------------------------------


@pytest.mark.parametrize(("outcome", "destination", "error"), [
    ("died", "not_applicable", False),
    ("died", "home", True),
    ("alive", "not_applicable", True),
    ("", "not_applicable", True),
    ("alive", "home", False),
    ("died", "", False),
])
def test_not_applicable_exactly_when_died(outcome: str, destination: str, error: bool) -> None:
    case = values(outcome=outcome, discharge_destination=destination,
                  death_datetime=BIRTH + timedelta(days=2) if outcome == "died" else None)
    found = errors_of(case)
    assert found == ({("discharge_destination", "discharge_destination_not_applicable")} if error else set())


@pytest.mark.parametrize(("birth", "notified", "error"), [
    # 00:30 BST on 1 April is still 31 March in UTC: the date of birth is the UK calendar date.
    (datetime(2024, 4, 1, 0, 30, tzinfo=LONDON), date(2024, 4, 1), False),
    (datetime(2024, 4, 1, 0, 30, tzinfo=LONDON), date(2024, 3, 31), True),
    (datetime(2024, 4, 1, 23, 30, tzinfo=LONDON), date(2024, 4, 2), False),
])
def test_early_notification_on_or_after_the_date_of_birth(birth: datetime, notified: date, error: bool) -> None:
    case = cooled_case_values(birth=birth, ens_notified_date=notified)
    assert errors_of(case) == ({("ens_notified_date", "order.ens_notified_date")} if error else set())


# --- Structured follow-up -----------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "error"), [("iii", False), ("iv", False), ("not_done", True), ("", True)])
def test_bayley_composites_need_a_version(version: str, error: bool) -> None:
    case = followed(followup_corrected_age_months=24, bayley_version=version, bayley_cognitive=90)
    expected = {("bayley_cognitive", "bayley_composite_needs_version")} if error else set()
    assert errors_of(case) == expected


@pytest.mark.parametrize(("palsy", "gmfcs", "expected"), [
    ("bilateral_spastic", None, {("gmfcs_level", "required_when.cerebral_palsy")}),
    ("bilateral_spastic", 3, set()),
    ("other", None, {("gmfcs_level", "required_when.cerebral_palsy")}),
    ("none", 1, {("gmfcs_level", "gmfcs_without_cerebral_palsy")}),
    ("none", None, set()),
    ("unknown", None, set()),
    ("unknown", 2, set()),
])
def test_gmfcs_goes_with_a_type_of_cerebral_palsy(palsy: str, gmfcs: int | None,
                                                   expected: set[tuple[str, str]]) -> None:
    case = followed(followup_corrected_age_months=24, cerebral_palsy=palsy, gmfcs_level=gmfcs)
    assert errors_of(case) == expected


def test_corrected_age_required_with_a_structured_follow_up() -> None:
    found = rules.hard_violations(followed(bayley_version="not_done"))
    assert broken(found) == {("followup_corrected_age_months", "required_when.followup_2y")}
    assert "corrected age" in found[0].message


def test_a_follow_up_completed_before_v2_stays_valid() -> None:
    """No structured item at all (a v1 record, or a v1 file): nothing to ask of it."""
    assert errors_of(followed()) == set()


# --- Warnings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "overrides", "flag", "raised"), [
    (not_cooled, {"referral_decision": "cool", "not_cooled_reason": "parents_declined"}, "cool_advised_not_cooled",
     True),
    (not_cooled, {"referral_decision": "observe", "not_cooled_reason": "improved"}, "cool_advised_not_cooled", False),
    (values, {"referral_decision": "cool"}, "cool_advised_not_cooled", False),
    (values, {"mri_sequences": ["t1", "t2"]}, "mri_without_dwi", True),
    (values, {"mri_sequences": ["dwi"]}, "mri_without_dwi", False),
    (values, {"mri_sequences": []}, "mri_without_dwi", False),
    (followed, {"followup_corrected_age_months": 30}, "followup_after_30_months", False),
    (followed, {"followup_corrected_age_months": 31}, "followup_after_30_months", True),
])
def test_v2_warnings(make: Any, overrides: dict[str, Any], flag: str, raised: bool) -> None:
    assert (flag in rules.soft_flags(make(**overrides))) is raised
    assert flag in rules.SOFT_MESSAGES
