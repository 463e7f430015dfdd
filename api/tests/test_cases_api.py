"""Cases through the API as a program uses them: create, read, change and mark entered in error, with the
screens' rules (services) and the screens' access (pathway.access), and an audit row naming the token's user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway.dataset import COLUMNS
from pathway.models import Case

Api = Callable[[str], APIClient]


def new_case(**overrides: Any) -> dict[str, Any]:
    """A cooled outborn baby (Watford → Addenbrooke's) as a program would send it."""
    body = {
        "case_ref": "API-0001", "nhs_number": "9434765919", "birth_datetime": "2024-05-14T03:10",
        "sex": "female", "gestation_weeks": 39, "gestation_days": 2, "birth_weight_g": 3300,
        "birth_unit_ods": "RWG02", "cooling_centre_ods": "RGT01", "therapeutic_hypothermia": "yes",
        "hie_grade": 2, "lowest_ph_60min": "6.95", "passive_cooling_start": "2024-05-14T03:40+01:00",
        "active_cooling_start": "2024-05-14T06:30+01:00", "referral_datetime": "2024-05-14T04:30+01:00",
    }
    body.update(overrides)
    return body


def errors(response: Any) -> list[tuple[str | None, str]]:
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


def audit_rows(pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="pathway.case", object_id=str(pk)).order_by("id"))


def test_create_read_update_round_trip(people: Personas, api: Api) -> None:
    client = api("nurse")
    created = client.post("/api/v1/cases/", new_case(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["Location"].endswith(f"/api/v1/cases/{body['id']}/")
    # Every dataset column is there, units by ODS code, times in UK time with their offset.
    assert set(COLUMNS) <= set(body)
    assert body["birth_unit_ods"] == "RWG02"
    assert body["cooling_centre_ods"] == "RGT01"
    assert body["birth_datetime"] == "2024-05-14T03:10:00+01:00"
    assert body["lowest_ph_60min"] == "6.95"
    assert body["hie_grade"] == 2
    assert body["version"] == 1
    assert body["stage"] == "cooling"

    read = client.get(f"/api/v1/cases/{body['id']}/")
    assert read.status_code == 200
    assert read.json() == body

    changed = client.patch(f"/api/v1/cases/{body['id']}/",
                           {"version": 1, "rewarming_start": "2024-05-17T06:30", "target_temp_reached":
                            "2024-05-14T06:50+01:00", "rewarming_end": "2024-05-17T14:30"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert changed.json()["stage"] == "rewarmed"
    assert changed.json()["rewarming_end"] == "2024-05-17T14:30:00+01:00"
    case = Case.objects.get(pk=body["id"])
    assert case.rewarming_end == datetime(2024, 5, 17, 14, 30, tzinfo=LONDON)
    assert case.nhs_number == "9434765919"  # PATCH leaves what it does not name
    rows = audit_rows(case.pk)
    assert [r.action for r in rows] == ["create", "update"]
    assert {r.actor for r in rows} == {people.nurse}  # the token's user, not "the API"
    assert rows[1].changes["rewarming_end"] == ["", "17/05/2024 14:30"]


def test_put_replaces_every_column_and_clears_the_absent_ones(api: Api) -> None:
    client = api("nurse")
    body = client.post("/api/v1/cases/", new_case(), format="json").json()
    replaced = client.put(f"/api/v1/cases/{body['id']}/", {**new_case(), "version": 1, "nhs_number": "",
                                                         "hie_grade": 3}, format="json")
    assert replaced.status_code == 200, replaced.content
    out = replaced.json()
    assert out["hie_grade"] == 3
    assert out["nhs_number"] == ""
    assert out["version"] == 2
    # Not in the PUT body: cleared (not recorded), like an empty cell in the CSV.
    missing = client.put(f"/api/v1/cases/{body['id']}/", {**new_case(), "version": 2}, format="json")
    assert missing.json()["lowest_ph_60min"] == "6.95"
    partial = {k: v for k, v in new_case().items() if k != "lowest_ph_60min"}
    cleared = client.put(f"/api/v1/cases/{body['id']}/", {**partial, "version": 3}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["lowest_ph_60min"] is None


def test_field_errors_name_field_and_rule(api: Api) -> None:
    client = api("nurse")
    response = client.post("/api/v1/cases/", new_case(gestation_weeks=45, sex="boy", birth_unit_ods="ZZZ99"),
                           format="json")
    assert response.status_code == 400
    assert set(errors(response)) == {("gestation_weeks", "max_value"), ("sex", "invalid_choice"),
                                     ("birth_unit_ods", "unknown_unit")}
    by_field = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert by_field["gestation_weeks"] == "Ensure this value is less than or equal to 44."
    assert by_field["birth_unit_ods"] == "Unknown ODS site code 'ZZZ99': not a unit of the network"
    assert not Case.objects.exists()


def test_service_rules_keep_their_messages_and_name_the_rule(api: Api) -> None:
    client = api("nurse")
    response = client.post("/api/v1/cases/", new_case(
        nhs_number="9434765918",  # fails Modulus 11
        referral_datetime="2024-05-14T02:00",  # before birth
        cooling_centre_ods=None,  # cooled babies need a cooling centre
        mri_performed="yes",  # ... and an MRI needs its time
    ), format="json")
    assert response.status_code == 400, response.content
    found = {(e["field"], e["rule"]): e["message"] for e in response.json()["errors"]}
    assert found[("nhs_number", "nhs_number_check")] == "NHS number must be 10 digits passing the Modulus 11 check"
    assert found[("referral_datetime", "order.referral_datetime")].startswith(
        "The time of referral call (14/05/2024 02:00)")
    assert ("cooling_centre_ods", "required_when.therapeutic_hypothermia") in found
    assert ("mri_datetime", "required_when.mri_performed") in found
    assert not Case.objects.exists()  # nothing half-written


def test_duplicate_reference_and_nhs_number_are_unique_rule(api: Api) -> None:
    client = api("nurse")
    assert client.post("/api/v1/cases/", new_case(), format="json").status_code == 201
    again = client.post("/api/v1/cases/", new_case(), format="json")
    assert again.status_code == 400
    assert set(errors(again)) == {("case_ref", "unique"), ("nhs_number", "unique")}


def test_required_columns_and_version_are_required(api: Api, cases: dict[str, Case]) -> None:
    client = api("nurse")
    response = client.post("/api/v1/cases/", {"case_ref": "X"}, format="json")
    assert response.status_code == 400
    assert {field for field, rule in errors(response) if rule == "required"} == {
        "birth_datetime", "sex", "gestation_weeks", "gestation_days", "birth_weight_g", "birth_unit_ods",
        "therapeutic_hypothermia"}
    no_version = client.patch(f"/api/v1/cases/{cases['A'].pk}/", {"hie_grade": 3}, format="json")
    assert no_version.status_code == 400
    assert errors(no_version) == [("version", "required")]


def test_local_times_follow_the_clock_change_rules(api: Api) -> None:
    client = api("nurse")
    gap = client.post("/api/v1/cases/", new_case(birth_datetime="2024-03-31T01:30"), format="json")
    assert gap.status_code == 400
    assert errors(gap) == [("birth_datetime", "invalid_local_time")]
    assert "does not exist in UK time" in gap.json()["errors"][0]["message"]
    twice = client.post("/api/v1/cases/", new_case(birth_datetime="2023-10-29T01:30", passive_cooling_start="",
                                                   active_cooling_start=None, referral_datetime=None,
                                                   therapeutic_hypothermia="no", cooling_centre_ods=None),
                        format="json")
    assert errors(twice)[0] == ("birth_datetime", "invalid_local_time")
    with_offset = client.post("/api/v1/cases/", new_case(birth_datetime="2023-10-29T01:30+00:00",
                                                         passive_cooling_start=None, active_cooling_start=None,
                                                         referral_datetime=None, therapeutic_hypothermia="no",
                                                         cooling_centre_ods=None), format="json")
    assert with_offset.status_code == 201, with_offset.content
    assert with_offset.json()["birth_datetime"] == "2023-10-29T01:30:00+00:00"


def test_stale_version_is_a_conflict_and_changes_nothing(people: Personas, api: Api,
                                                         cases: dict[str, Case]) -> None:
    case = cases["A"]
    first, second = api("nurse"), api("consultant")
    assert first.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "hie_grade": 3}, format="json").status_code == 200
    stale = second.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "hie_grade": 1}, format="json")
    assert stale.status_code == 409
    assert errors(stale) == [("version", "edit_conflict")]
    assert "was changed by Nina Nurse" in stale.json()["errors"][0]["message"]
    case.refresh_from_db()
    assert (case.hie_grade, case.version) == (3, 2)


def test_entered_in_error_instead_of_delete(people: Personas, api: Api, cases: dict[str, Case]) -> None:
    client = api("clinician")
    case = cases["A"]
    assert client.delete(f"/api/v1/cases/{case.pk}/").status_code == 405
    no_reason = client.post(f"/api/v1/cases/{case.pk}/entered-in-error/", {"reason": " ", "version": 1},
                            format="json")
    assert errors(no_reason) == [("reason", "blank")]
    marked = client.post(f"/api/v1/cases/{case.pk}/entered-in-error/", {"reason": "Duplicate of CASE-C",
                                                                          "version": 1}, format="json")
    assert marked.status_code == 200, marked.content
    assert marked.json()["entered_in_error"] is True
    assert marked.json()["stage"] == "entered_in_error"
    assert audit_rows(case.pk)[-1].action == "entered_in_error"
    assert audit_rows(case.pk)[-1].actor == people.clinician
    # Kept, readable, gone from the list unless asked for, and no longer changeable.
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert [c["id"] for c in client.get("/api/v1/cases/").json()["results"]] == []
    assert [c["id"] for c in client.get("/api/v1/cases/?include_entered_in_error=true").json()["results"]] \
        == [case.pk]
    refused = client.patch(f"/api/v1/cases/{case.pk}/", {"version": 2, "hie_grade": 3}, format="json")
    assert refused.status_code == 409
    assert errors(refused) == [(None, "conflict")]


def test_list_filters_and_pages(api: Api, cases: dict[str, Case]) -> None:
    client = api("nurse")
    refs = lambda query: sorted(c["case_ref"] for c in client.get(f"/api/v1/cases/{query}").json()["results"])  # noqa: E731
    assert refs("") == ["CASE-A", "CASE-B", "CASE-C"]
    assert refs("?unit=RGT01") == ["CASE-A", "CASE-C"]
    assert refs("?unit=rde03") == ["CASE-B"]
    assert refs("?unit=NOPE") == []
    assert refs("?year=2024") == ["CASE-A", "CASE-B", "CASE-C"]
    assert refs("?year=2023") == []
    assert refs("?stage=cooling") == []
    assert refs("?stage=discharged") == ["CASE-A", "CASE-B", "CASE-C"]
    Case.objects.filter(pk=cases["B"].pk).update(updated_at=datetime(2020, 1, 1, tzinfo=LONDON))
    assert refs("?updated_since=2021-01-01T00:00%2B00:00") == ["CASE-A", "CASE-C"]
    page = client.get("/api/v1/cases/?limit=2&offset=0").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"].endswith("limit=2&offset=2")
    bad = client.get("/api/v1/cases/?year=nineteen&stage=frozen")
    assert bad.status_code == 400
    assert set(errors(bad)) == {("year", "invalid"), ("stage", "invalid_choice")}


@pytest.mark.parametrize("birth_unit", ["RGT01", "RWG02"])
def test_clinician_may_only_record_babies_of_their_unit(api: Api, birth_unit: str) -> None:
    client = api("clinician")  # unit clinician at Watford (RWG02)
    body = new_case(birth_unit_ods=birth_unit, cooling_centre_ods="RM102")
    response = client.post("/api/v1/cases/", body, format="json")
    if birth_unit == "RWG02":
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 400
        assert errors(response) == [("birth_unit_ods", "invalid_choice")]


def test_consultant_cannot_move_a_case_out_of_their_units(api: Api, cases: dict[str, Case]) -> None:
    client = api("consultant")  # Addenbrooke's (RGT01); case A is Watford → RGT01
    response = client.patch(f"/api/v1/cases/{cases['A'].pk}/", {"version": 1, "cooling_centre_ods": "RM102"},
                            format="json")
    assert response.status_code == 400
    assert errors(response) == [("birth_unit_ods", "unit_scope")]
    centre = cases["A"].cooling_centre
    assert centre is not None and centre.ods_code == "RGT01"


def test_a_time_off_the_calendar_is_refused_not_a_server_error(api: Api) -> None:
    # Year 1 at +05:00 is in year 0 in UTC, which Python cannot hold (schemathesis generates such values).
    response = api("nurse").post("/api/v1/cases/", new_case(birth_datetime="0001-01-01T00:00+05:00"), format="json")
    assert response.status_code == 400
    assert errors(response) == [("birth_datetime", "invalid_local_time")]
