"""A board report for any level (issue 18): region, network, ICB, LMNS, trust, birth unit or cooling centre.

The KPI rows of the levels above the network are written here directly, with the keys the KPI engine stores
them under (level `trust`, `lmns`, `icb`, `region`, org_code the organisation's code), so they do not depend
on how the engine attributes babies; the network's rows are found through `reporting.scope.network_row_code`.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.testing.personas import Personas
from kpis.models import KpiAggregate
from reporting import content, scope, services
from reporting.figures import FigureRow
from reporting.forms import BoardReportForm
from reporting.models import BoardReport
from units.hierarchy import Hierarchy
from units.models import Organisation, OrgKind, Unit

pytestmark = pytest.mark.django_db
YEAR_END = date(2024, 12, 31)


def _store_level(level: str, code: str, *, met: int, eligible: int) -> None:
    """The network's 2024 rows copied to another level and code (in place of any the engine stored), cooling
    within 6 hours set to met/eligible."""
    KpiAggregate.objects.filter(level=level, org_code=code).delete()
    for row in KpiAggregate.objects.filter(level="network", org_code=scope.default_network_code(), period_key="2024"):
        row.pk, row.level, row.org_code = None, level, code
        if row.kpi == "cooling_started_6h":
            row.numerator, row.denominator, row.rate = met, eligible, met / eligible
        row.save()


def _hie_row(data: dict[str, object], title: str) -> list[str]:
    table = data["sections"][0]["tables"][0]  # type: ignore[index]
    return next([c[0] for c in row] for row in table["rows"] if row[0][0].split("\n")[0] == title)


def test_a_trust_report_reads_the_trusts_rows_and_covers_only_its_units(figures: Personas) -> None:
    trust = Unit.objects.get(ods_code="RWG02").trust_ods
    Organisation.objects.update_or_create(kind=OrgKind.TRUST, code=trust,
                                          defaults={"name": "West Hertfordshire Teaching Hospitals"})
    _store_level("trust", trust, met=2, eligible=3)
    inside = set(Hierarchy.load().units_in("trust", trust, YEAR_END))
    assert "RWG02" in inside and "RDE03" not in inside

    report = services.board_report_create(values={"title": "Trust board", "level": "trust", "area_code": trust,
                                                  "period_key": "2024"}, by=figures.lead)
    data = content.build(report)

    assert data["scope"]["name"] == "West Hertfordshire Teaching Hospitals"
    assert data["scope"]["describe"].startswith("West Hertfordshire Teaching Hospitals (nhs trust)")
    assert _hie_row(data, "Cooling started within 6 hours")[3:5] == ["2", "3"]  # the trust's row, not the network's
    layout = data["layout"]["rows"]
    assert {r[1] for r in layout if r[0] in ("Birth unit", "Cooling centre")} <= inside
    assert any(r[0] == "NHS trust" and r[1] == trust for r in layout)
    training = next(s for s in data["sections"] if s["key"] == "training")["tables"][0]["rows"]
    names = set(Unit.objects.filter(ods_code__in=inside).values_list("short_name", flat=True))
    assert {r[0][0] for r in training} - {"All units"} <= names and "Ipswich" not in {r[0][0] for r in training}
    assert services.report_filename(report, "pdf") == f"trust-board-trust-{trust.lower()}-2024-draft.pdf"


def test_a_region_report_reads_the_regions_rows(figures: Personas) -> None:
    region = Hierarchy.load().path("RWG02", YEAR_END)
    assert region is not None and region.region
    _store_level("region", region.region, met=30, eligible=40)
    report = services.board_report_create(values={"title": "Region", "level": "region", "area_code": region.region,
                                                  "period_key": "2024", "sections": ["hie"]}, by=figures.lead)
    data = content.build(report)
    assert _hie_row(data, "Cooling started within 6 hours")[3:5] == ["30", "40"]
    assert {"RWG02", "RDE03"} <= set(data["scope"]["units"])


def test_a_network_report_finds_the_networks_rows_through_one_function(figures: Personas) -> None:
    """The network's rows are stored under its own code (EOE); `network_row_code` is the one place that says so."""
    code = scope.default_network_code()
    assert code and scope.row_code("network", code) == scope.network_row_code(code) == code
    report = BoardReport.objects.get(pk=services.board_report_create(
        values={"title": "Network", "level": "network", "period_key": "2024", "sections": ["hie"]},
        by=figures.lead).pk)
    assert report.area_code == report.org_code == code
    data = content.build(report)
    assert _hie_row(data, "Cooling started within 6 hours")[3:5] == ["3", "4"]  # 3 of 4 (conftest)


def test_a_unit_report_compares_with_its_network(figures: Personas) -> None:
    report = services.board_report_create(values={"title": "Watford", "level": "birth_unit", "period_key": "2024",
                                                  "org": Unit.objects.get(ods_code="RWG02"), "sections": ["hie"]},
                                          by=figures.lead)
    row = _hie_row(content.build(report), "Cooling started within 6 hours")
    assert row[3:5] == ["2", "3"] and row[6] == "75%"  # Watford 2 of 3; the network's 3 of 4 beside it


def test_the_form_offers_the_organisations_the_user_may_report_on(figures: Personas) -> None:
    trust = Unit.objects.get(ods_code="RWG02").trust_ods
    Organisation.objects.update_or_create(kind=OrgKind.TRUST, code=trust,
                                          defaults={"name": "West Hertfordshire Teaching Hospitals"})
    offered = dict(scope.choices_for(figures.lead, YEAR_END))
    assert [v for v, _ in offered["Network"]] == [f"network:{scope.default_network_code()}"]
    assert (f"trust:{trust}", "West Hertfordshire Teaching Hospitals") in offered["NHS trust"]
    assert ("birth_unit:RWG02", "Watford") in offered["Birth unit"]
    assert ("cooling_centre:RGT01", Unit.objects.get(ods_code="RGT01").short_name) in offered["Cooling centre"]
    assert scope.choices_for(figures.nurse, YEAR_END) == [("Birth unit", [])]  # a nurse reports on nothing

    form = BoardReportForm({"title": "Trust", "scope": f"trust:{trust}", "period_key": "2024", "sections": ["hie"],
                            "summary": "", "highlights": "", "concerns": "", "actions": ""}, user=figures.lead)
    assert form.is_valid(), form.errors
    assert {k: form.values()[k] for k in ("level", "org", "area_code")} == {"level": "trust", "org": None,
                                                                            "area_code": trust}


def test_figure_rows_of_an_area_name_their_level() -> None:
    row = FigureRow("icb", "QUE", "Cambridgeshire and Peterborough ICB", "cooling_started_6h", None)
    from reporting.figures import layout_row

    assert layout_row(row, "2024")[:3] == ["Integrated care board", "QUE", "Cambridgeshire and Peterborough ICB"]


def test_an_external_trust_report_keeps_its_headline_beside_a_centre_that_cools_other_trusts(
        figures: Personas) -> None:
    """Cambridge's centre (RGT01) cooled Watford's 3 babies (2 within 6 hours): small, so hidden. The trust's
    own 20 of 25 are babies born in its units, not the centre's: the centre does not add up to the trust, so
    its hidden counts cannot be subtracted from the trust's, and the trust's figures stay. (Taking the centre
    as adding up to the trust, as the network's centres were, hid the trust's 20 and 5 as its complement.)"""
    from reporting.figures import figure_rows, layout_row, scope_for
    from reporting.periods import parse
    from reporting.policy import current

    trust = Unit.objects.get(ods_code="RGT01").trust_ods
    assert trust and "RGT01" in Hierarchy.load().units_in("trust", trust, YEAR_END)
    _store_level("trust", trust, met=20, eligible=25)
    found = scope_for("trust", None, trust, parse("2024"))
    rows = {(r.level, r.org_code, r.kpi): layout_row(r, "2024") for r in figure_rows(found, policy=current())}
    own = rows[("trust", trust, "cooling_started_6h")]
    assert own[6:9] == ["20", "5", "25"] and own[11] == "80.0" and own[-1] == "no"
    centre = rows[("cooling_centre", "RGT01", "cooling_started_6h")]
    assert centre[6:9] == ["[c]", "[c]", "[c]"] and centre[11] == "[c]" and centre[-1].startswith("yes: [c] =")
