"""The v2 columns through the API: typed like the CSV, MRI sequences as a list in the dataset's order, the
same rules as every interface, and a PUT from a v1 client leaves the v2 columns as they are."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.test import APIClient

from api.tests.test_cases_api import errors, new_case
from pathway.dataset import V2_COLUMNS
from pathway.models import Case

Api = Callable[[str], APIClient]

V2 = {
    "mode_of_delivery": "emergency_caesarean", "seizures": "clinical", "anticonvulsant_count": 1,
    "referral_decision": "cool", "transport_team_mobilised_datetime": "2024-05-14T04:40+01:00",
    "transport_service_ods": "RGT-PANDR", "mri_performed": "yes", "mri_datetime": "2024-05-21T10:00",
    "mri_sequences": ["DWI", "t1", "t2", "t1"], "mri_injury_pattern": "watershed", "mri_score_system": "weeke",
    "mri_score_value": "11", "mri_mrs_lactate_naa": "0.25",
}


def test_v2_columns_are_read_and_written(api: Api) -> None:
    client = api("nurse")
    created = client.post("/api/v1/cases/", new_case(**V2), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(V2_COLUMNS) <= set(body)
    assert body["mri_sequences"] == ["t1", "t2", "dwi"]
    assert body["transport_service_ods"] == "RGT-PANDR"
    assert body["transport_team_mobilised_datetime"] == "2024-05-14T04:40:00+01:00"
    assert body["mri_mrs_lactate_naa"] == "0.25"
    assert body["dq_flags"] == []


def test_the_v2_rules_hold_in_the_api(api: Api) -> None:
    body = new_case(**{**V2, "mri_performed": "no", "mri_datetime": None, "not_cooled_reason": "improved"})
    response = api("nurse").post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert {("mri_sequences", "only_when.mri_performed"), ("not_cooled_reason", "not_cooled_reason_when_cooled")
            } <= set(errors(response))


def test_an_unknown_sequence_names_the_field(api: Api) -> None:
    response = api("nurse").post("/api/v1/cases/", new_case(**{**V2, "mri_sequences": ["flair"]}), format="json")
    assert response.status_code == 400
    assert errors(response) == [("mri_sequences", "invalid_choice")]
    assert "Unknown sequence 'flair'" in response.json()["errors"][0]["message"]


def test_a_put_without_the_v2_columns_leaves_them_as_they_are(api: Api) -> None:
    client = api("nurse")
    body = client.post("/api/v1/cases/", new_case(**V2), format="json").json()
    v1_body = new_case(hie_grade=3, mri_performed="yes", mri_datetime="2024-05-21T10:00")
    response = client.put(f"/api/v1/cases/{body['id']}/", {**v1_body, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=body["id"])
    assert case.hie_grade == 3
    assert (case.mri_injury_pattern, case.referral_decision, case.mri_sequences) == ("watershed", "cool",
                                                                                    ["t1", "t2", "dwi"])
