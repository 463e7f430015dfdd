"""Read-only resources: KPI figures (filtered by kpi, level, org, period, period_type) and units."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KpiAggregate
from pathway.models import Case

Api = Callable[[str], APIClient]


def _all(client: APIClient, query: str) -> list[dict]:
    response = client.get(f"/api/v1/kpi-aggregates/{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_kpi_aggregate_filters(api: Api, cases: dict[str, Case]) -> None:
    kpi_services.compute(periods=["2024", "2024-Q2"])
    client = api("clinician")  # figures hold no patient rows: every signed-in user reads them
    stored = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", org_code="EOE",
                                      period_key="2024")
    rows = _all(client, "?kpi=cooling_started_6h&level=network&org=EOE&period=2024")
    assert rows == [{
        "kpi": "cooling_started_6h", "level": "network", "org": "EOE", "period": "2024",
        "period_type": "year", "period_start": "2024-01-01", "period_end": "2024-12-31",
        "numerator": stored.numerator, "denominator": stored.denominator, "not_eligible": stored.not_eligible,
        "missing": stored.missing, "rate": stored.rate, "n": None, "median": None, "q1": None, "q3": None,
        "definition_version": stored.definition_version,
    }]
    assert stored.denominator == 3  # the three cooled babies of the fixture
    by_unit = _all(client, "?kpi=cooling_started_6h&level=cooling_centre&period_type=quarter")
    assert {(r["org"], r["period"]) for r in by_unit} == {("RGT01", "2024-Q2"), ("RM102", "2024-Q2")}
    assert {r["org"] for r in _all(client, "?org=rgt01&period=2024")} == {"RGT01"}
    assert _all(client, "?kpi=no_such_kpi") == []
    median = _all(client, "?kpi=age_at_referral_min&level=network&period=2024")
    assert (median[0]["n"], median[0]["median"]) == (2, 80.0)  # the two outborn babies, both referred at 80 minutes
    bad = client.get("/api/v1/kpi-aggregates/?level=planet&period_type=decade")
    assert bad.status_code == 400
    assert {(e["field"], e["rule"]) for e in bad.json()["errors"]} == {("level", "invalid_choice"),
                                                                       ("period_type", "invalid_choice")}


def test_kpi_aggregates_are_read_only(api: Api) -> None:
    client = api("admin_user")
    assert client.post("/api/v1/kpi-aggregates/", {}, format="json").status_code == 405
    assert client.delete("/api/v1/kpi-aggregates/").status_code == 405


def test_units_by_ods_code(api: Api, network: object) -> None:
    client = api("outsider")
    unit = client.get("/api/v1/units/rgt01/")
    assert unit.status_code == 200
    assert unit.json()["ods_code"] == "RGT01"
    assert unit.json()["is_cooling_centre"] is True
    centres = {u["ods_code"] for u in client.get("/api/v1/units/?is_cooling_centre=true&limit=100").json()["results"]}
    assert "RGT01" in centres
    assert "RWG02" not in centres
    assert client.get("/api/v1/units/NOPE1/").status_code == 404
    assert client.patch("/api/v1/units/RGT01/", {"name": "x"}, format="json").status_code == 405
