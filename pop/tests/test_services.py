"""POP record services: hard rules block the save naming the field and rule, soft rules flag, stale saves are
refused, every change is audited, and the record's KPI periods are queued once per transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import EditConflict
from core.models import AuditEvent
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.models import KpiAggregate, KpiRun
from pop import services
from pop.models import PopRecord
from pop.tests.factories import BIRTH, pop_values

pytestmark = pytest.mark.django_db


def audit_rows(record: PopRecord) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="pop.record", object_id=str(record.pk)).order_by("id"))


def refused(**overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        services.pop_create(values=pop_values(**overrides), by=AnonymousUser())
    assert PopRecord.objects.count() == 0
    return caught.value.message_dict


@pytest.fixture
def record(people: Personas) -> PopRecord:
    return services.pop_create(values=pop_values(case_ref="POP-0001"), by=people.nurse)


def test_create_saves_every_value_and_audits_it(people: Personas, record: PopRecord) -> None:
    record.refresh_from_db()
    assert record.first_temp_c == Decimal("36.8") and record.version == 1 and record.dq_flags == []
    assert record.created_by == people.nurse
    (event,) = audit_rows(record)
    assert event.action == "create" and event.actor == people.nurse
    assert event.changes["case_ref"] == ["", "POP-0001"]
    assert event.changes["magnesium_start_datetime"] == ["", "13/05/2024 21:10"]
    assert event.changes["multiple_birth"] == ["", "no"]  # a default value is still listed as entered


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"gestation_weeks": 34, "gestation_days": 0}, "gestation_weeks", "before 34+0 weeks"),
    ({"gestation_weeks": 45}, "gestation_weeks", "less than or equal to 44"),
    ({"gestation_days": 7}, "gestation_days", "less than or equal to 6"),
    ({"birth_weight_g": 399}, "birth_weight_g", "greater than or equal to 400"),
    ({"steroids_doses": 5}, "steroids_doses", "less than or equal to 4"),
    ({"cord_clamping_seconds": 601}, "cord_clamping_seconds", "less than or equal to 600"),
    ({"first_temp_c": Decimal("29.9")}, "first_temp_c", "greater than or equal to 30"),
    ({"first_temp_c": Decimal("41.1")}, "first_temp_c", "less than or equal to 41"),
    ({"nhs_number": "1234567890"}, "nhs_number", "Modulus 11"),
    ({"sex": "other"}, "sex", "not a valid choice"),
    ({"labour": "maybe"}, "labour", "not a valid choice"),
    ({"magnesium_start_datetime": BIRTH + timedelta(minutes=1)}, "magnesium_start_datetime", "at or before"),
    ({"steroids_last_dose_datetime": BIRTH + timedelta(minutes=1)}, "steroids_last_dose_datetime", "at or before"),
    ({"antibiotics_start_datetime": BIRTH + timedelta(minutes=1)}, "antibiotics_start_datetime", "at or before"),
    ({"first_temp_datetime": BIRTH - timedelta(minutes=1)}, "first_temp_datetime", "at or after"),
    ({"first_breast_milk_datetime": BIRTH - timedelta(minutes=1)}, "first_breast_milk_datetime", "at or after"),
    ({"steroids_doses": 0}, "steroids_last_dose_datetime", "number of doses is 0"),
    ({"birth_datetime": datetime(2099, 1, 1, tzinfo=LONDON)}, "birth_datetime", "cannot be in the future"),
    ({"birth_unit": None}, "birth_unit", "required"),
    ({"case_ref": ""}, "case_ref", "required"),
])
def test_hard_rules_block_the_save_naming_field_and_rule(network: object, overrides: dict[str, object], field: str,
                                                         words: str) -> None:
    errors = refused(**overrides)
    assert any(words in message for message in errors[field]), errors


def test_boundaries_are_accepted(network: object) -> None:
    record = services.pop_create(values=pop_values(
        gestation_weeks=33, gestation_days=6, first_temp_c=Decimal("30.0"), cord_clamping_seconds=600,
        magnesium_start_datetime=BIRTH, first_temp_datetime=BIRTH, steroids_doses=4,
    ), by=AnonymousUser())
    assert record.pk and record.gestation_label == "33+6"


def test_nhs_number_unique_per_baby(people: Personas) -> None:
    services.pop_create(values=pop_values(nhs_number="9434765919"), by=people.nurse)
    with pytest.raises(ValidationError) as caught:
        services.pop_create(values=pop_values(nhs_number="9434765919"), by=people.nurse)
    assert "unique per baby" in caught.value.message_dict["nhs_number"][0]


@pytest.mark.parametrize(("overrides", "flag"), [
    ({"gestation_weeks": 31}, "magnesium_from_30_weeks"),
    ({"magnesium_start_datetime": BIRTH - timedelta(hours=24, minutes=1)}, "magnesium_over_24h"),
    ({"steroids_doses": 3}, "steroids_repeat_course"),
    ({"steroids_last_dose_datetime": None}, "steroids_dose_without_time"),
])
def test_soft_rules_save_and_flag(people: Personas, overrides: dict[str, Any], flag: str) -> None:
    record = services.pop_create(values=pop_values(**overrides), by=people.nurse)
    assert record.dq_flags == [flag]


def test_update_audits_old_and_new_and_bumps_the_version(people: Personas, record: PopRecord) -> None:
    saved = services.pop_update(record=record, values={"cord_clamping_seconds": 30}, expected_version=1,
                                by=people.clinician)
    assert saved.version == 2 and saved.updated_by == people.clinician
    event = audit_rows(record)[-1]
    assert event.action == "update" and event.changes == {"cord_clamping_seconds": ["90", "30"]}


def test_an_update_that_changes_nothing_writes_nothing(people: Personas, record: PopRecord) -> None:
    saved = services.pop_update(record=record, values={"first_temp_c": Decimal("36.8"), "cord_clamping_seconds": 90},
                                expected_version=1,
                                by=people.nurse)
    assert saved.version == 1 and len(audit_rows(record)) == 1


def test_a_stale_save_is_refused_and_nothing_is_overwritten(people: Personas, record: PopRecord) -> None:
    services.pop_update(record=record, values={"cord_clamping_seconds": 45}, expected_version=1, by=people.nurse)
    with pytest.raises(EditConflict) as caught:
        services.pop_update(record=record, values={"cord_clamping_seconds": 120}, expected_version=1,
                            by=people.clinician)
    assert "Nina Nurse" in str(caught.value) and "nothing of theirs was overwritten" in str(caught.value)
    record.refresh_from_db()
    assert record.cord_clamping_seconds == 45 and record.version == 2


def test_an_invalid_update_writes_nothing(people: Personas, record: PopRecord) -> None:
    with pytest.raises(ValidationError):
        services.pop_update(record=record, values={"first_temp_datetime": BIRTH - timedelta(hours=1)},
                            expected_version=1, by=people.nurse)
    record.refresh_from_db()
    assert record.version == 1 and len(audit_rows(record)) == 1


def test_entered_in_error_keeps_the_record_and_refuses_later_changes(people: Personas, record: PopRecord) -> None:
    with pytest.raises(ValidationError):
        services.pop_mark_entered_in_error(record=record, reason="  ", expected_version=1, by=people.nurse)
    services.pop_mark_entered_in_error(record=record, reason="Duplicate of POP-0002", expected_version=1,
                                       by=people.nurse)
    record.refresh_from_db()
    assert record.entered_in_error and record.entered_in_error_reason == "Duplicate of POP-0002"
    assert audit_rows(record)[-1].action == "entered_in_error"
    assert PopRecord.objects.current().count() == 0
    with pytest.raises(ValidationError, match="entered in error"):
        services.pop_update(record=record, values={"cord_clamping_seconds": 10}, expected_version=None,
                            by=people.nurse)


def test_a_record_entered_in_error_refuses_being_marked_again(people: Personas, record: PopRecord) -> None:
    services.pop_mark_entered_in_error(record=record, reason="Wrong baby", expected_version=1, by=people.nurse)
    with pytest.raises(ValidationError) as caught:
        services.pop_mark_entered_in_error(record=record, reason="Duplicate", expected_version=2, by=people.nurse)
    assert caught.value.messages == ["POP-0001 was marked as entered in error: it can no longer be changed"]
    record.refresh_from_db()
    assert (record.entered_in_error_reason, record.version) == ("Wrong baby", 2)


def test_the_shared_record_writes_speak_of_a_pop_record(people: Personas, record: PopRecord) -> None:
    """The wording POP users see from the record writes they share with HIE cases (pathway RecordWrites)."""
    assert audit_rows(record)[0].summary == "Created POP record POP-0001"
    services.pop_create(values=pop_values(case_ref="POP-0002", nhs_number="9434765919"), by=people.nurse)
    with pytest.raises(ValidationError) as caught:
        services.pop_create(values=pop_values(case_ref="POP-0003", nhs_number="9434765919"), by=people.nurse)
    assert caught.value.message_dict["nhs_number"] == [
        "Another POP record already has this NHS number (unique per baby)"]
    with pytest.raises(ValidationError) as caught:
        services.pop_mark_entered_in_error(record=record, reason="", expected_version=1, by=people.nurse)
    assert caught.value.message_dict == {
        "entered_in_error_reason": ["Give the reason the record was entered in error"]}
    with pytest.raises(ValueError, match=r"^Not POP record fields: \['stage'\]$"):
        services.pop_update(record=record, values={"stage": "complete"}, expected_version=1, by=people.nurse)

    services.pop_update(record=record, values={"cord_clamping_seconds": 45}, expected_version=1, by=people.nurse)
    with pytest.raises(EditConflict) as conflict:
        services.pop_update(record=record, values={"cord_clamping_seconds": 120}, expected_version=1,
                            by=people.clinician)
    saved_at = timezone.localtime(audit_rows(record)[-1].at)
    assert str(conflict.value) == (
        f"POP-0001 was changed by Nina Nurse at {saved_at:%H:%M on %d/%m/%Y} after you opened it. Your changes "
        "have not been saved, so nothing of theirs was overwritten: reload the record, check their changes and "
        "enter yours again.")


def test_a_save_recomputes_the_records_periods_once_after_commit(
        people: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.pop_create(values=pop_values(), by=people.nurse)
        services.pop_update(record=first, values={"cord_clamping_seconds": 20}, expected_version=1, by=people.nurse)
    assert len(callbacks) == 2  # each write's callback; the first sends the transaction's one batch
    run = KpiRun.objects.get()  # one run, however many writes
    assert (run.producer, run.trigger, run.status, run.triggered_by) == ("pop", "case_saved", "succeeded", people.nurse)
    assert {"2024", "2024-Q2", "2024-05", "R12-2024-05"} <= set(run.period_keys)
    cord = KpiAggregate.objects.get(kpi="pop_optimal_cord_management", level="birth_unit", org_code="RWG02",
                                    period_key="2024-05")
    assert (cord.numerator, cord.denominator) == (0, 1)


def test_moving_the_birth_recomputes_the_old_periods_too(people: Personas,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record = services.pop_create(values=pop_values(), by=people.nurse)
    assert KpiAggregate.objects.filter(kpi="pop_all_eligible", period_key="2024-05").exists()
    later = BIRTH + timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        services.pop_update(record=record, expected_version=1, by=people.nurse, values={
            "birth_datetime": later, "steroids_last_dose_datetime": later - timedelta(hours=30),
            "magnesium_start_datetime": later - timedelta(hours=6),
            "antibiotics_start_datetime": later - timedelta(hours=5),
            "first_temp_datetime": later + timedelta(minutes=25),
            "first_breast_milk_datetime": later + timedelta(hours=5)})
    assert not KpiAggregate.objects.filter(kpi="pop_all_eligible", period_key="2024-05").exists()
    assert KpiAggregate.objects.filter(kpi="pop_all_eligible", period_key="2024-06").exists()


def test_case_ref_is_unique(people: Personas, record: PopRecord) -> None:
    with pytest.raises(ValidationError) as caught:
        services.pop_create(values=pop_values(case_ref="POP-0001"), by=people.nurse)
    assert "already exists" in caught.value.message_dict["case_ref"][0]
