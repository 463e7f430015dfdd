"""Case services: every write validates the whole record, keeps the version, the stage and the flags
right, and leaves an audit row (who, what, old → new) in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import EditConflict
from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON, parse_local_datetime
from pathway import services
from pathway.models import Case, TemperatureObservation
from units.models import Unit

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)  # BST


def at(minutes: float) -> datetime:
    return BIRTH + timedelta(minutes=minutes)


def values(**overrides: Any) -> dict[str, Any]:
    return cooled_case_values(birth=BIRTH, **overrides)


def audit_rows(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="pathway.case", object_id=str(case.pk)).order_by("id"))


@pytest.fixture
def case(people: Personas) -> Case:
    return services.case_create(values=values(case_ref="HIE-0001"), by=people.nurse)


# --- case_create ----------------------------------------------------------------------------------


def test_create_writes_the_case_version_stage_flags_and_audit(people: Personas) -> None:
    created = services.case_create(values=values(case_ref="HIE-0001", nhs_number="9434765919"), by=people.nurse)

    saved = Case.objects.get()
    assert saved.pk == created.pk
    assert saved.case_ref == "HIE-0001"
    assert saved.nhs_number == "9434765919"
    assert saved.birth_datetime == BIRTH
    assert saved.birth_unit is not None and saved.birth_unit.ods_code == "RWG02"
    assert saved.cooling_centre is not None and saved.cooling_centre.ods_code == "RGT01"
    assert saved.lowest_ph_60min == Decimal("6.95")
    assert saved.version == 1
    assert saved.stage == "discharged"
    assert saved.dq_flags == []
    assert saved.created_by == people.nurse
    assert saved.updated_by == people.nurse

    [event] = audit_rows(saved)
    assert event.action == "create"
    assert event.actor == people.nurse
    assert "HIE-0001" in event.summary
    assert event.changes["case_ref"] == ["", "HIE-0001"]
    assert event.changes["nhs_number"] == ["", "9434765919"]
    assert event.changes["birth_datetime"] == ["", "14/05/2024 03:10"]
    assert event.changes["birth_unit"] == ["", "RWG02"]
    assert event.changes["multiple_birth"] == ["", "no"]  # equal to the model default, still entered
    assert event.changes["lowest_ph_60min"] == ["", "6.95"]
    assert event.changes["hie_grade"] == ["", "2"]
    assert "postnatal_collapse_datetime" not in event.changes  # not entered


def test_create_stores_soft_flags(people: Personas) -> None:
    created = services.case_create(values=values(gestation_weeks=35, hie_grade=1), by=people.nurse)
    assert Case.objects.get(pk=created.pk).dq_flags == ["preterm_cooled", "mild_or_no_hie_cooled"]


def test_create_by_anonymous_records_no_user(network: None) -> None:
    created = services.case_create(values=values(), by=AnonymousUser())
    assert created.created_by is None
    assert audit_rows(created)[0].actor is None


@pytest.mark.parametrize(
    ("bad", "fields"),
    [
        ({"gestation_weeks": 21}, {"gestation_weeks"}),
        ({"gestation_weeks": 45, "gestation_days": 7}, {"gestation_weeks", "gestation_days"}),
        ({"birth_weight_g": 399}, {"birth_weight_g"}),
        ({"birth_weight_g": 6501}, {"birth_weight_g"}),
        ({"nhs_number": "9434765918"}, {"nhs_number"}),
        ({"sex": "boy"}, {"sex"}),
        ({"apgar_10": 11, "lowest_ph_60min": Decimal("7.61"), "base_deficit_60min": Decimal("35.1")},
         {"apgar_10", "lowest_ph_60min", "base_deficit_60min"}),
        ({"hie_grade": 4, "aeeg": "flat"}, {"hie_grade", "aeeg"}),
        ({"lowest_temp_before_arrival_c": Decimal("27.9"), "arrival_temp_c": Decimal("42.1")},
         {"lowest_temp_before_arrival_c", "arrival_temp_c"}),
        ({"case_ref": "", "sex": ""}, {"case_ref", "sex"}),
        ({"case_ref": "X" * 41}, {"case_ref"}),
        ({"birth_datetime": "last Tuesday"}, {"birth_datetime"}),  # wrong type: an error, not a crash
        ({"gestation_weeks": "thirty"}, {"gestation_weeks"}),
        ({"rewarming_end": at(100), "mri_performed": "yes", "mri_datetime": None},
         {"rewarming_end", "mri_datetime"}),
        ({"therapeutic_hypothermia": "yes", "cooling_centre": None}, {"cooling_centre"}),
    ],
)
def test_create_refuses_invalid_values_naming_every_field_and_writes_nothing(
    people: Personas, bad: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(**bad), by=people.nurse)
    assert set(caught.value.message_dict) == fields
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_create_missing_required_value_says_which(people: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(case_ref=""), by=people.nurse)
    assert any("case reference" in message for message in caught.value.message_dict["case_ref"])


def test_wrong_type_is_not_also_called_missing(people: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(gestation_weeks="thirty"), by=people.nurse)
    assert not any("required" in message for message in caught.value.message_dict["gestation_weeks"])


def test_create_refuses_a_unit_that_is_not_a_cooling_centre(people: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(cooling_centre=Unit.objects.get(ods_code="RWG02")), by=people.nurse)
    assert "not a cooling centre" in caught.value.message_dict["cooling_centre"][0]
    assert Case.objects.count() == 0


def test_unknown_field_is_a_programming_error(people: Personas) -> None:
    with pytest.raises(ValueError, match="stage"):
        services.case_create(values=values(stage="complete"), by=people.nurse)
    assert Case.objects.count() == 0


def test_duplicate_nhs_number_is_refused(people: Personas) -> None:
    first = services.case_create(values=values(nhs_number="9434765919"), by=people.nurse)
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(nhs_number="9434765919"), by=people.nurse)
    assert "already has this NHS number" in caught.value.message_dict["nhs_number"][0]
    assert list(Case.objects.all()) == [first]

    other = services.case_create(values=values(nhs_number="9434765870"), by=people.nurse)
    with pytest.raises(ValidationError) as caught:
        services.case_update(case=other, values={"nhs_number": "9434765919"}, expected_version=1, by=people.nurse)
    assert "nhs_number" in caught.value.message_dict
    assert Case.objects.get(pk=other.pk).nhs_number == "9434765870"


def test_cases_without_nhs_number_do_not_clash(people: Personas) -> None:
    services.case_create(values=values(nhs_number=""), by=people.nurse)
    services.case_create(values=values(nhs_number=""), by=people.nurse)
    assert Case.objects.count() == 2


def test_duplicate_case_ref_is_refused(people: Personas, case: Case) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(values=values(case_ref="HIE-0001"), by=people.nurse)
    assert "case_ref" in caught.value.message_dict
    assert Case.objects.count() == 1


# --- case_update ------------------------------------------------------------------------------------


def test_update_records_old_and_new_display_values(people: Personas, case: Case) -> None:
    updated = services.case_update(
        case=case,
        values={"hie_grade": 3, "active_cooling_start": at(210), "cooling_centre": Unit.objects.get(ods_code="RM102"),
                "lowest_ph_60min": Decimal("7.01"), "nhs_number": "9434765919"},
        expected_version=1, by=people.consultant,
    )
    assert updated.version == 2

    saved = Case.objects.get(pk=case.pk)
    assert saved.version == 2
    assert saved.hie_grade == 3
    assert saved.cooling_centre is not None and saved.cooling_centre.ods_code == "RM102"
    assert saved.updated_by == people.consultant
    assert saved.created_by == people.nurse

    event = audit_rows(case)[-1]
    assert event.action == "update"
    assert event.actor == people.consultant
    assert event.changes == {
        "hie_grade": ["2", "3"],
        "active_cooling_start": ["14/05/2024 06:30", "14/05/2024 06:40"],
        "cooling_centre": ["RGT01", "RM102"],
        "lowest_ph_60min": ["6.95", "7.01"],
        "nhs_number": ["", "9434765919"],
    }
    # The fields as the page names them, in the dataset's order.
    assert event.summary == ("Changed NHS number, cooling centre, lowest pH within 60 minutes, HIE grade, "
                             "time active cooling started")


def test_update_shows_uk_times_and_names_the_zone_in_the_repeated_hour(people: Personas) -> None:
    winter = services.case_create(values=cooled_case_values(birth=datetime(2024, 1, 10, 8, 0, tzinfo=LONDON)),
                                  by=people.nurse)
    services.case_update(case=winter, values={"referral_datetime": parse_local_datetime("10/01/2024 09:45")},
                         expected_version=1, by=people.nurse)
    assert audit_rows(winter)[-1].changes == {"referral_datetime": ["10/01/2024 09:20", "10/01/2024 09:45"]}

    # 27/10/2024: the clocks went back at 02:00 BST, so 01:30 happened twice; the audit says which.
    autumn = services.case_create(values=cooled_case_values(birth=parse_local_datetime("2024-10-27T00:40+01:00"),
                                                            case_ref="HIE-AUTUMN"), by=people.nurse)
    services.case_update(case=autumn, values={"referral_datetime": parse_local_datetime("2024-10-27T01:30+00:00")},
                         expected_version=1, by=people.nurse)
    old, new = audit_rows(autumn)[-1].changes["referral_datetime"]
    assert new == "27/10/2024 01:30 GMT" and old != new


def test_clearing_a_value_records_it_as_empty(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"apgar_10": None, "aeeg": ""}, expected_version=1, by=people.nurse)
    assert audit_rows(case)[-1].changes == {"apgar_10": ["4", ""], "aeeg": ["moderately_abnormal", ""]}


@pytest.mark.parametrize(
    "same",
    [
        {},
        {"hie_grade": 2},
        {"birth_datetime": BIRTH},
        {"birth_datetime": parse_local_datetime("2024-05-14T02:10+00:00")},  # same instant, other offset
        {"lowest_ph_60min": Decimal("6.95"), "labour": "yes"},
        {"base_deficit_60min": Decimal("16")},  # 16 mmol/L is the stored 16.0
        {"gestation_days": 2, "sex": "male"},
    ],
)
def test_update_without_a_change_writes_nothing(people: Personas, case: Case, same: dict[str, Any]) -> None:
    before = Case.objects.get(pk=case.pk)
    result = services.case_update(case=case, values=same, expected_version=1, by=people.consultant)
    after = Case.objects.get(pk=case.pk)
    assert result.version == 1
    assert after.version == 1
    assert after.updated_by == people.nurse
    assert after.updated_at == before.updated_at
    assert len(audit_rows(case)) == 1


def test_setting_the_same_unit_again_is_no_change(people: Personas, case: Case) -> None:
    same = {"cooling_centre": Unit.objects.get(ods_code="RGT01"), "birth_unit": Unit.objects.get(ods_code="RWG02")}
    assert services.case_update(case=case, values=same, expected_version=1, by=people.nurse).version == 1
    assert len(audit_rows(case)) == 1


def test_invalid_update_writes_nothing(people: Personas, case: Case) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_update(case=case, values={"hie_grade": 3, "rewarming_end": at(100)}, expected_version=1,
                             by=people.nurse)
    assert set(caught.value.message_dict) == {"rewarming_end"}
    saved = Case.objects.get(pk=case.pk)
    assert (saved.hie_grade, saved.version) == (2, 1)
    assert len(audit_rows(case)) == 1


def test_stale_version_is_refused_naming_the_other_user_and_the_case(people: Personas, case: Case) -> None:
    # Carl opens version 1; Cora saves first.
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    with pytest.raises(EditConflict) as caught:
        services.case_update(case=case, values={"hie_grade": 1, "apgar_10": 2}, expected_version=1,
                             by=people.clinician)
    message = str(caught.value)
    assert "Cora Consultant" in message
    assert "HIE-0001" in message

    saved = Case.objects.get(pk=case.pk)
    assert (saved.hie_grade, saved.apgar_10, saved.version) == (3, 4, 2)
    assert saved.updated_by == people.consultant
    assert [e.actor for e in audit_rows(case)] == [people.nurse, people.consultant]


def test_conflict_names_the_username_when_there_is_no_full_name(people: Personas, case: Case) -> None:
    people.consultant.first_name = people.consultant.last_name = ""
    people.consultant.save()
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    with pytest.raises(EditConflict, match="cora"):
        services.case_update(case=case, values={"hie_grade": 1}, expected_version=1, by=people.clinician)


def test_latest_wins_without_an_expected_version(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    services.case_update(case=case, values={"hie_grade": 1}, expected_version=None, by=people.clinician)
    saved = Case.objects.get(pk=case.pk)
    assert (saved.hie_grade, saved.version) == (1, 3)
    assert audit_rows(case)[-1].changes == {"hie_grade": ["3", "1"]}


def test_update_recomputes_flags_and_stage(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"hie_grade": 1, "discharge_datetime": None, "rewarming_end": None},
                         expected_version=1, by=people.nurse)
    saved = Case.objects.get(pk=case.pk)
    assert saved.dq_flags == ["mild_or_no_hie_cooled"]
    assert saved.stage == "rewarming"  # rewarming started, not ended


def test_update_can_use_a_custom_action(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=None, by=people.nurse,
                         action=AuditEvent.Action.IMPORT)
    assert audit_rows(case)[-1].action == "import"


# --- Entered in error -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_entered_in_error_needs_a_reason(people: Personas, case: Case, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_mark_entered_in_error(case=case, reason=reason, expected_version=1, by=people.nurse)
    assert "entered_in_error_reason" in caught.value.message_dict
    saved = Case.objects.get(pk=case.pk)
    assert (saved.entered_in_error, saved.stage, saved.version) == (False, "discharged", 1)


def test_entered_in_error_keeps_the_row(people: Personas, case: Case) -> None:
    services.case_mark_entered_in_error(case=case, reason="  Duplicate of HIE-0002 ", expected_version=1,
                                        by=people.nurse)
    saved = Case.objects.get(pk=case.pk)  # never deleted
    assert saved.entered_in_error is True
    assert saved.entered_in_error_reason == "Duplicate of HIE-0002"
    assert saved.stage == "entered_in_error"
    assert saved.version == 2
    assert Case.objects.count() == 1
    assert not Case.objects.current().exists()
    event = audit_rows(case)[-1]
    assert event.action == "entered_in_error"
    assert event.actor == people.nurse
    assert "Duplicate of HIE-0002" in event.summary


def test_entered_in_error_refuses_a_stale_version(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    with pytest.raises(EditConflict, match="Cora Consultant"):
        services.case_mark_entered_in_error(case=case, reason="Wrong baby", expected_version=1, by=people.nurse)
    assert Case.objects.get(pk=case.pk).entered_in_error is False


def test_a_case_entered_in_error_refuses_an_edit_and_stays_so(people: Personas, case: Case) -> None:
    from core.exceptions import DomainError

    services.case_mark_entered_in_error(case=case, reason="Wrong baby", expected_version=1, by=people.nurse)
    with pytest.raises(DomainError, match="HIE-0001 was marked as entered in error: it can no longer be changed"):
        services.case_update(case=case, values={"hie_grade": 3}, expected_version=2, by=people.nurse)
    saved = Case.objects.get(pk=case.pk)
    assert (saved.stage, saved.version, saved.hie_grade) == ("entered_in_error", 2, case.hie_grade)



def test_the_shared_record_writes_speak_of_a_case(people: Personas, case: Case) -> None:
    """The wording HIE users see from the record writes they share with POP (services.RecordWrites)."""
    assert audit_rows(case)[0].summary == "Created HIE-0001"
    with pytest.raises(ValidationError) as caught:
        services.case_mark_entered_in_error(case=case, reason=" ", expected_version=1, by=people.nurse)
    assert caught.value.message_dict == {"entered_in_error_reason": ["Give the reason the case was entered in error"]}
    with pytest.raises(ValueError, match=r"^Not case fields: \['stage'\]$"):
        services.case_update(case=case, values={"stage": "complete"}, expected_version=1, by=people.nurse)

    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    with pytest.raises(EditConflict) as conflict:
        services.case_update(case=case, values={"hie_grade": 1}, expected_version=1, by=people.clinician)
    saved_at = timezone.localtime(audit_rows(case)[-1].at)
    assert str(conflict.value) == (
        f"HIE-0001 was changed by Cora Consultant at {saved_at:%H:%M on %d/%m/%Y} after you opened it. Your "
        "changes have not been saved, so nothing of theirs was overwritten: reload the case, check their changes "
        "and enter yours again.")


def test_marking_a_case_entered_in_error_again_is_refused_by_the_service(people: Personas, case: Case) -> None:
    # As for POP records: the service (not only the screens) keeps the first reason.
    services.case_mark_entered_in_error(case=case, reason="Wrong baby", expected_version=1, by=people.nurse)
    with pytest.raises(ValidationError, match="entered in error"):
        services.case_mark_entered_in_error(case=case, reason="Duplicate", expected_version=2, by=people.nurse)
    saved = Case.objects.get(pk=case.pk)
    assert (saved.entered_in_error_reason, saved.version) == ("Wrong baby", 2)


# --- Stage ------------------------------------------------------------------------------------------

NOT_DISCHARGED = {"discharge_datetime": None}


@pytest.mark.parametrize(
    ("overrides", "stage"),
    [
        ({}, "discharged"),
        (NOT_DISCHARGED, "rewarmed"),
        ({**NOT_DISCHARGED, "rewarming_end": None}, "rewarming"),
        ({**NOT_DISCHARGED, "rewarming_start": None, "rewarming_end": None}, "cooling"),
        ({**NOT_DISCHARGED, "rewarming_end": None, "early_stop_reason": "clinical_decision"}, "rewarming"),
        ({**NOT_DISCHARGED, "rewarming_start": None, "rewarming_end": None, "early_stop_reason": "died",
          "outcome": "died", "death_datetime": at(3000)}, "died"),
        ({**NOT_DISCHARGED, "rewarming_start": None, "rewarming_end": None,
          "early_stop_reason": "clinical_decision"}, "rewarmed"),
        ({**NOT_DISCHARGED, "rewarming_start": None, "rewarming_end": None, "target_temp_reached": None,
          "passive_cooling_start": None, "active_cooling_start": None}, "awaiting_cooling"),
        ({**NOT_DISCHARGED, "therapeutic_hypothermia": "no", "cooling_centre": None}, "referred"),
        ({"therapeutic_hypothermia": "no", "cooling_centre": None}, "discharged"),
        ({"outcome": "died", "death_datetime": at(3000), "discharge_datetime": None}, "died"),
        ({"outcome": "unknown", "death_datetime": at(3000)}, "died"),
        ({"followup_2y": "completed", "followup_2y_date": date(2026, 5, 20)}, "complete"),
        ({"followup_2y": "not_done"}, "complete"),
        ({"followup_2y": "moved_out"}, "complete"),
        ({"followup_2y": "unknown"}, "discharged"),
        ({"outcome": "died", "death_datetime": at(3000), "followup_2y": "not_done"}, "died"),
    ],
)
def test_stage_is_derived_from_the_record(people: Personas, overrides: dict[str, Any], stage: str) -> None:
    created = services.case_create(values=values(**overrides), by=people.nurse)
    assert Case.objects.get(pk=created.pk).stage == stage


def test_stage_follows_updates(people: Personas) -> None:
    cooling = services.case_create(values=values(discharge_datetime=None, rewarming_end=None), by=people.nurse)
    assert cooling.stage == "rewarming"
    rewarmed = services.case_update(case=cooling, values={"rewarming_end": at(230 + 80 * 60)}, expected_version=1,
                                    by=people.nurse)
    assert rewarmed.stage == "rewarmed"
    discharged = services.case_update(case=cooling, values={"discharge_datetime": at(12 * 24 * 60)},
                                      expected_version=2, by=people.nurse)
    assert Case.objects.get(pk=discharged.pk).stage == "discharged"


def test_flags_counted_in_real_time_across_the_clock_change(people: Personas) -> None:
    # 00:30 GMT → 06:50 BST on 31 March 2024 is 5 h 20 (6 h 20 on the wall clock): not late.
    birth = parse_local_datetime("2024-03-31T00:30")
    created = services.case_create(
        values=cooled_case_values(birth=birth, passive_cooling_start=None, referral_datetime=birth,
                                  depart_referring_datetime=birth, core_monitoring_start=birth,
                                  active_cooling_start=parse_local_datetime("2024-03-31T06:50"),
                                  target_temp_reached=parse_local_datetime("2024-03-31T07:20"),
                                  rewarming_start=parse_local_datetime("2024-04-03T07:20"),
                                  rewarming_end=parse_local_datetime("2024-04-03T15:20")),
        by=people.nurse,
    )
    assert created.dq_flags == []


# --- Temperatures ---------------------------------------------------------------------------------


@pytest.fixture
def arriving(people: Personas) -> Case:
    """Cooled from 30 min, arrives at the centre at 240 min; no derived temperatures yet."""
    return services.case_create(
        values=values(case_ref="HIE-0002", lowest_temp_before_arrival_c=None, arrival_temp_c=None,
                      target_temp_reached=None, rewarming_start=None, rewarming_end=None, discharge_datetime=None),
        by=people.nurse,
    )


def add(case: Case, minutes: float, temp: str, site: str = "rectal", by: Any = None) -> TemperatureObservation:
    return services.temperature_add(case=case, observed_at=at(minutes), temp_c=Decimal(temp), site=site,
                                    by=by or case.created_by)  # type: ignore[arg-type]  # created_by is set on every case


@pytest.mark.parametrize(
    ("minutes", "temp", "site", "field"),
    [
        (60, "27.9", "rectal", "temp_c"),
        (60, "42.1", "rectal", "temp_c"),
        (-1, "36.5", "rectal", "observed_at"),  # before birth
        (60, "36.5", "ear", "site"),
    ],
)
def test_temperature_add_validates(people: Personas, arriving: Case, minutes: float, temp: str, site: str,
                                   field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add(arriving, minutes, temp, site)
    assert field in caught.value.message_dict
    assert TemperatureObservation.objects.count() == 0
    assert len(audit_rows(arriving)) == 1
    assert Case.objects.get(pk=arriving.pk).version == 1


@pytest.mark.parametrize(("minutes", "temp"), [(0, "28.0"), (0, "42.0")])
def test_temperature_bounds_and_birth_time_are_allowed(people: Personas, arriving: Case, minutes: float,
                                                       temp: str) -> None:
    add(arriving, minutes, temp)
    assert TemperatureObservation.objects.count() == 1


def test_temperatures_derive_the_case_fields(people: Personas, arriving: Case) -> None:
    add(arriving, 60, "34.5")  # core, before arrival
    add(arriving, 90, "32.0", "axilla")  # not core: ignored everywhere
    add(arriving, 120, "33.8", "oesophageal")  # the lowest core reading before arrival
    add(arriving, 250, "33.2")  # after arrival: the first core reading within the hour
    add(arriving, 280, "33.1")
    saved = Case.objects.get(pk=arriving.pk)
    assert saved.lowest_temp_before_arrival_c == Decimal("33.8")
    assert saved.arrival_temp_c == Decimal("33.2")
    assert saved.target_temp_reached == at(120)  # first core reading at 33.0–34.0 after cooling start
    assert TemperatureObservation.objects.filter(case=arriving).count() == 5

    actions = [e.action for e in audit_rows(arriving)]
    assert actions.count("temperature_add") == 5
    first_update = next(e for e in audit_rows(arriving) if e.action == "update")
    assert first_update.changes == {"lowest_temp_before_arrival_c": ["", "34.5"]}


@pytest.mark.parametrize(("offset", "counted"), [(0, True), (60, True), (61, False)])
def test_arrival_temperature_window_is_one_hour(people: Personas, arriving: Case, offset: int,
                                                counted: bool) -> None:
    add(arriving, 240 + offset, "35.0")
    expected = Decimal("35.0") if counted else None
    assert Case.objects.get(pk=arriving.pk).arrival_temp_c == expected


def test_a_recorded_target_time_is_not_replaced(people: Personas, case: Case) -> None:
    assert case.target_temp_reached == at(230)
    add(case, 100, "33.5")
    assert Case.objects.get(pk=case.pk).target_temp_reached == at(230)


def test_a_target_time_from_the_readings_follows_them_until_one_is_typed(people: Personas, arriving: Case) -> None:
    add(arriving, 150, "33.5")
    add(arriving, 100, "33.9")  # earlier: the readings' first time in range moves, and the value with it
    assert Case.objects.get(pk=arriving.pk).target_temp_reached == at(100)
    typed = services.case_update(case=Case.objects.get(pk=arriving.pk), values={"target_temp_reached": at(95)},
                                 expected_version=None, by=people.nurse)
    add(typed, 90, "33.7")  # one typed value is kept (issue 13: one truth per value)
    assert Case.objects.get(pk=arriving.pk).target_temp_reached == at(95)


def test_reading_before_cooling_start_is_not_the_target(people: Personas, arriving: Case) -> None:
    add(arriving, 20, "33.5")  # cooling starts at 30
    assert Case.objects.get(pk=arriving.pk).target_temp_reached is None


def test_temperature_remove_re_derives(people: Personas, arriving: Case) -> None:
    add(arriving, 60, "34.5")
    lowest = add(arriving, 120, "33.8")
    add(arriving, 250, "33.2")
    first_after = TemperatureObservation.objects.get(case=arriving, observed_at=at(250))
    add(arriving, 270, "33.4")

    services.temperature_remove(observation=lowest, by=people.consultant)
    saved = Case.objects.get(pk=arriving.pk)
    assert saved.lowest_temp_before_arrival_c == Decimal("34.5")

    services.temperature_remove(observation=first_after, by=people.consultant)
    saved = Case.objects.get(pk=arriving.pk)
    assert saved.arrival_temp_c == Decimal("33.4")
    assert TemperatureObservation.objects.filter(case=arriving).count() == 2

    removals = [e for e in audit_rows(arriving) if e.action == "temperature_remove"]
    assert len(removals) == 2
    assert removals[0].actor == people.consultant
    assert "33.8" in removals[0].summary
    # The target time came from the readings too (33.2 at 250 min was the first in range left): it follows.
    assert audit_rows(arriving)[-1].changes == {"arrival_temp_c": ["33.2", "33.4"],
                                                "target_temp_reached": ["14/05/2024 07:20", "14/05/2024 07:40"]}


def test_temperature_derivation_reads_the_saved_case(people: Personas, arriving: Case) -> None:
    # The caller's object is stale: the arrival time moved after it was loaded.
    stale = Case.objects.get(pk=arriving.pk)
    services.case_update(case=arriving, values={"arrive_centre_datetime": at(300)}, expected_version=1,
                         by=people.nurse)
    add(stale, 250, "33.2")
    saved = Case.objects.get(pk=arriving.pk)
    assert saved.lowest_temp_before_arrival_c == Decimal("33.2")  # before the 300 arrival
    assert saved.arrival_temp_c is None


def test_history_lists_the_case_audit_newest_first(people: Personas, case: Case) -> None:
    services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.consultant)
    history = services.case_history(case)
    assert [e.action for e in history] == ["update", "create"]


def test_a_temperature_is_audited_in_uk_time(people: Personas, arriving: Case) -> None:
    """In summer UK time is an hour ahead of UTC: the audit says the time on the ward's clock."""
    reading = add(arriving, 60, "34.5")  # 04:10 BST, 03:10 UTC
    services.temperature_remove(observation=TemperatureObservation.objects.get(pk=reading.pk), by=people.nurse)
    summaries = [e.summary for e in audit_rows(arriving) if e.action.startswith("temperature_")]
    assert summaries == ["Temperature 34.5 °C rectal at 14/05/2024 04:10",
                         "Removed temperature 34.5 °C rectal at 14/05/2024 04:10"]
