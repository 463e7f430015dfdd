"""Board reports as network leads use them: the figures, comparisons, charts and data completeness; the
fixed CSV layout; small numbers in reports for outside the network; the narrative page with its preview
and audited history; and who may do any of it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis.registry import RATE_PER, REGISTRY
from pathway.models import Case
from reporting import content, periods, services
from reporting.figures import COLUMNS, Scope, figure_rows, layout_row
from reporting.models import BoardReport, ImpactInput
from reporting.policy import current
from reporting.render import report_html
from reporting.scope import default_network_code
from reporting.tests.conftest import client_for
from units.models import Unit

pytestmark = pytest.mark.django_db
NETWORK_2024 = Scope("network", None, periods.parse("2024"))


def hie_line(data: dict[str, Any], title: str) -> list[str]:
    """The texts of one KPI's row in the report's HIE table."""
    table = data["sections"][0]["tables"][0]
    return next([c[0] for c in row] for row in table["rows"] if row[0][0].split("\n")[0] == title)


def _row(html: str, title: str) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__cell">{re.escape(title)}'
                      r'(.*?)</tr>', html, re.S)
    assert match, f"no row for {title}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _chart_svg(html: str) -> str:
    figure = html.split('<figure class="app-chart', 1)[1]
    return figure[figure.index("<svg"):figure.index("</svg>") + len("</svg>")]


def _layout(scope: Scope, *, external: bool) -> dict[tuple[str, str, str], dict[str, str]]:
    rows = figure_rows(scope, policy=current() if external else None)
    return {(r.level, r.org_code, r.kpi): dict(zip(COLUMNS, layout_row(r, scope.period.label), strict=True))
            for r in rows}


# --- What the report shows -------------------------------------------------------------------------------------


def test_network_report_shows_rate_interval_counts_baseline_and_national(figures: Personas) -> None:
    built = content.build_for(NETWORK_2024, title="Board", external=False)
    # Wilson 3/4: 0.3006–0.9544
    assert hie_line(built, "Target temperature reached within 6 hours")[1:6] == ["75%", "30%–95%", "3", "4", "0"]
    html = report_html(built)
    assert _row(html, "Target temperature reached within 6 hours").startswith(
        "Higher is better 75% 30%–95% 3 4 0 36% → 91%")
    overcooling = REGISTRY["overcooling_before_centre"].TITLE
    assert "10.6% (UK arrivals below 33 °C" in _row(html, overcooling)
    assert "0% → 100%" in _row(html, REGISTRY["core_monitoring_before_transfer"].TITLE)


def test_unit_report_compares_with_the_network(figures: Personas) -> None:
    watford = Unit.objects.get(ods_code="RWG02")
    built = content.build_for(Scope("birth_unit", watford, periods.parse("2024")), title="Watford", external=False)
    line = hie_line(built, "Cooling started within 6 hours")
    assert (line[1], line[3], line[4], line[6]) == ("67%", "2", "3", "75%")
    assert {row[1] for row in built["layout"]["rows"]} == {"RWG02", ""}  # the unit, then the network


def test_charts_are_the_dashboards_own_svgs(figures: Personas) -> None:
    client = client_for(figures.lead)
    run_page = client.get(reverse("kpis:run", args=["cooling_started_6h"]), {"level": "network"}).content.decode()
    funnel_page = client.get(reverse("kpis:funnel", args=["cooling_started_6h"]),
                             {"period": "2024", "level": "birth_unit"}).content.decode()
    rows = figure_rows(NETWORK_2024, policy=None)
    assert content.run_chart_for("cooling_started_6h", NETWORK_2024).svg.strip() == _chart_svg(run_page)
    assert content.funnel_for("cooling_started_6h", NETWORK_2024, rows).svg.strip() == _chart_svg(funnel_page)
    built = content.build_for(NETWORK_2024, title="B", external=False)
    assert len(built["charts"]) == 11  # six run charts, five funnels (the median measure has none)
    page = client.get(reverse("reporting:preview", args=[services.board_report_create(
        values={"title": "B", "level": "network", "period_key": "2024"}, by=figures.lead).pk])).content.decode()
    assert all(chart["svg"] in page for chart in built["charts"])


def test_completeness_counts_missing_per_kpi(figures: Personas) -> None:
    from pathway.models import Case

    case = Case.objects.order_by("id").first()
    assert case is not None
    services_case_update(figures, case, placenta_sent="")
    built = content.build_for(NETWORK_2024, title="Board", external=False)
    table = next(s for s in built["sections"] if s["key"] == "completeness")["tables"][0]
    placenta = next([c[0] for c in row] for row in table["rows"] if row[0][0] == "Placenta sent for histology")
    assert placenta[1:] == ["1", "3", "25%"]


def services_case_update(people: Personas, case: Case, **values: object) -> None:
    from kpis import services as kpi_services
    from pathway import services as pathway_services
    from reporting.tests.conftest import AS_OF

    pathway_services.case_update(case=case, values=values, by=people.nurse,
                                 expected_version=case.version)
    kpi_services.compute(as_of=AS_OF)


def test_seeded_impact_inputs_are_cited() -> None:
    inputs = {i.key: i for i in ImpactInput.objects.all()}
    assert inputs["th_nnt"].value == 8 and inputs["mgso4_nnt"].value == 37
    assert (inputs["hie_disability_cost_low"].value, inputs["hie_disability_cost_high"].value) == (5_000_000,
                                                                                                   7_000_000)
    assert inputs["th_nnt"].source.startswith("Edwards AD, Brocklehurst P, Gunn AJ, et al.")
    assert inputs["th_baseline_rate"].measure == "target_temp_6h"  # what the 36% really measures
    assert all(i.source and i.year for i in inputs.values())


# --- Fixed layout and small numbers ---------------------------------------------------------------------------------


def test_fixed_layout_columns_and_a_row(figures: Personas) -> None:
    assert COLUMNS[:7] == ("Level", "Organisation code", "Organisation", "Period", "Measure", "Better when", "Met")
    assert len(COLUMNS) == 24 and COLUMNS[-1] == "Small numbers hidden"
    rows = figure_rows(NETWORK_2024, policy=None)
    first = dict(zip(COLUMNS, layout_row(rows[0], "2024"), strict=True))
    assert first == {**first, "Level": "Network", "Organisation code": "", "Measure": "Cooling started within 6 hours",
                     "Met": "3", "Not met": "1", "Eligible": "4", "Rate (%)": "75.0",
                     "95% interval low (%)": "30.1", "95% interval high (%)": "95.4", "Small numbers hidden": "no"}
    blocks = list(dict.fromkeys((r.level, r.org_code) for r in rows))
    assert blocks == [("network", "EOE"), ("birth_unit", "RDE03"), ("birth_unit", "RWG02"),
                      ("cooling_centre", "RGT01"), ("cooling_centre", "RM102")]


def test_external_report_hides_small_unit_counts_but_keeps_the_network_headline(figures: Personas) -> None:
    rows = _layout(NETWORK_2024, external=True)
    ipswich = rows[("birth_unit", "RDE03", "cooling_started_6h")]
    # Ipswich: 1 met, 0 not met → 1 and its total are hidden ("[c]"); the rate would give them back, so it goes too. Its
    # 0 not met goes as well: with the network's 1 not met shown, it would give back Watford's hidden 1.
    assert (ipswich["Met"], ipswich["Not met"], ipswich["Eligible"], ipswich["Rate (%)"]) == ("[c]",) * 4
    watford = rows[("birth_unit", "RWG02", "cooling_started_6h")]
    assert (watford["Met"], watford["Not met"], watford["Eligible"]) == ("[c]", "[c]", "[c]")
    network = rows[("network", "EOE", "cooling_started_6h")]
    # The whole network's births: shown in full (the policy's network threshold is 0), with its rate.
    assert (network["Met"], network["Not met"], network["Eligible"], network["Rate (%)"]) == ("3", "1", "4", "75.0")
    assert network["Small numbers hidden"] == "no"


def test_network_threshold_and_rounding_are_settings(figures: Personas, settings: Any) -> None:
    settings.SMALL_NUMBER_NETWORK_THRESHOLD = 5
    network = _layout(NETWORK_2024, external=True)[("network", "EOE", "cooling_started_6h")]
    assert (network["Met"], network["Not met"], network["Eligible"], network["Rate (%)"]) == ("[c]",) * 4
    settings.SMALL_NUMBER_NETWORK_THRESHOLD, settings.SMALL_NUMBER_THRESHOLD, settings.SMALL_NUMBER_ROUNDING = 0, 1, 5
    rows = _layout(NETWORK_2024, external=True)
    # Threshold 1 hides nothing; rounding to 5 applies below the network only: Watford 2 of 3 → 0 of 5.
    assert [rows[("birth_unit", "RWG02", "cooling_started_6h")][c] for c in ("Met", "Eligible")] == ["0", "5"]
    assert [rows[("network", "EOE", "cooling_started_6h")][c] for c in ("Met", "Eligible")] == ["3", "4"]


def test_external_report_with_large_counts_shows_them(people: Personas) -> None:
    from kpis import services as kpi_services
    from reporting.tests.conftest import AS_OF, cooled

    for day in range(1, 8):
        cooled(people, day=day, minutes=30)  # Watford: 7 of 7
    for day in range(10, 16):
        cooled(people, day=day, minutes=30, birth_unit="RDE03", centre="RM102")  # Ipswich: 6 of 6
    kpi_services.compute(as_of=AS_OF)
    watford = _layout(NETWORK_2024, external=True)[("birth_unit", "RWG02", "cooling_started_6h")]
    assert (watford["Met"], watford["Not met"], watford["Eligible"], watford["Rate (%)"]) == ("7", "0", "7", "100.0")


def test_external_report_leaves_charts_out_and_says_why(figures: Personas) -> None:
    built = content.build_for(NETWORK_2024, title="For the audit", external=True)
    assert built["charts"] == []
    html = report_html(built)
    assert "For sharing outside the network." in html and "Counts from 1 to 4 for a unit" in html
    assert "Office for National Statistics. Review of the dissemination of health statistics" in html
    watford = content.build_for(Scope("birth_unit", Unit.objects.get(ods_code="RWG02"), periods.parse("2024")),
                                title="Watford", external=True)
    assert hie_line(watford, "Cooling started within 6 hours")[1:5] == ["[c]", "[c]", "[c]", "[c]"]


def test_threshold_is_a_setting(figures: Personas, settings: object) -> None:
    settings.SMALL_NUMBER_THRESHOLD = 2  # type: ignore[attr-defined]
    rows = _layout(NETWORK_2024, external=True)
    # Only 1 is small now. Ipswich's 1 met and its 1 eligible are hidden, and with them the cells that would
    # give them back from the network's 3 of 4 (its 0 not met beside Watford's hidden 1).
    assert [rows[("birth_unit", "RDE03", "cooling_started_6h")][c] for c in ("Met", "Not met", "Eligible")
            ] == ["[c]", "[c]", "[c]"]
    assert [rows[("network", "EOE", "core_monitoring_before_transfer")][c]
            for c in ("Met", "Not met", "Eligible")] == ["4", "0", "4"]


# --- Narrative, preview and history ----------------------------------------------------------------------------------


def _form(**overrides: object) -> dict[str, object]:
    return {"title": "Q2 board report", "scope": f"network:{default_network_code()}", "period_key": "2024-Q2",
            "sections": ["hie", "pop", "training", "families", "improvement", "completeness", "impact"],
            "summary": "Cooling within 6 hours is holding.", "highlights": "", "concerns": "", "actions": "",
            **overrides}


def test_lead_creates_previews_and_edits_a_report_and_history_is_kept(figures: Personas) -> None:
    client = client_for(figures.lead)
    response = client.post(reverse("reporting:create"), _form())
    report = BoardReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:preview", args=[report.pk])

    preview = client.get(response["Location"]).content.decode()
    assert "Cooling within 6 hours is holding." in preview and "Q2 2024 (April to June 2024)" in preview
    assert _row(preview, "Cooling started within 6 hours").startswith("Higher is better 75% 30%–95% 3 4")

    client.post(reverse("reporting:edit", args=[report.pk]), _form(summary="Better than last quarter.",
                                                                   version=report.version))
    report.refresh_from_db()
    assert report.summary == "Better than last quarter."
    events = list(AuditEvent.objects.filter(object_type="reporting.boardreport").order_by("id"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].actor == figures.lead
    assert events[1].changes == {"summary": ["Cooling within 6 hours is holding.", "Better than last quarter."]}
    page = client.get(reverse("reporting:edit", args=[report.pk])).content.decode()
    assert "Better than last quarter." in page and "Summary: “Cooling within 6 hours is holding.”" in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"scope": "birth_unit:"}, "scope", "Report for: choose one of the organisations listed"),
    ({"period_key": "2024-05"}, "period_key", "Select a valid choice"),
])
def test_bad_form_names_the_field_and_saves_nothing(figures: Personas, overrides: dict[str, object], field: str,
                                                    message: str) -> None:
    response = client_for(figures.lead).post(reverse("reporting:create"), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BoardReport.objects.exists() and not AuditEvent.objects.filter(
        object_type="reporting.boardreport").exists()


def test_service_refuses_a_month_and_a_non_centre(figures: Personas) -> None:
    with pytest.raises(ValidationError) as month:
        services.board_report_create(values={"title": "x", "level": "network", "period_key": "2024-05"},
                                     by=figures.lead)
    assert list(month.value.message_dict) == ["period_key"]
    assert month.value.message_dict["period_key"][0].startswith("Enter a calendar year (2024), a calendar quarter")
    with pytest.raises(ValidationError) as centre:
        services.board_report_create(values={"title": "x", "level": "cooling_centre", "period_key": "2024",
                                             "org": Unit.objects.get(ods_code="RWG02")}, by=figures.lead)
    assert centre.value.message_dict == {"org": ["Watford is not a cooling centre"]}
    assert not BoardReport.objects.exists()


@pytest.mark.parametrize("persona", ["nurse", "consultant", "clinician", "outsider"])
def test_only_leads_and_administrators_reach_reports(figures: Personas, persona: str) -> None:
    client = client_for(getattr(figures, persona))
    assert client.get(reverse("reporting:list")).status_code == 403
    assert client.post(reverse("reporting:create"), _form()).status_code == 403
    assert client.get(reverse("reporting:exports")).status_code == 403
    assert not BoardReport.objects.exists()


def test_admin_reaches_reports_and_the_nav_shows_them(figures: Personas) -> None:
    assert client_for(figures.admin_user).get(reverse("reporting:list")).status_code == 200
    assert 'href="/reports/"' in client_for(figures.lead).get(reverse("kpis:overview")).content.decode()
    assert 'href="/reports/"' not in client_for(figures.nurse).get(reverse("kpis:overview")).content.decode()


# --- Financial years -------------------------------------------------------------------------------------------


def test_financial_periods_parse_and_label() -> None:
    fy = periods.parse("FY2024")
    assert (fy.start.isoformat(), fy.end.isoformat(), fy.label) == (
        "2024-04-01", "2025-03-31", "2024/25 (April 2024 to March 2025)")
    q4 = periods.parse("FY2024-Q4")
    assert (q4.stored_key, q4.label) == ("2025-Q1", "Q4 2024/25 (January to March 2025)")
    assert periods.parse("FY2024-Q1").stored_key == "2024-Q2"
    assert periods.parse("FY2024").previous().key == "FY2023" and q4.previous().key == "FY2024-Q3"
    with pytest.raises(ValueError, match="NHS financial year"):
        periods.parse("2024-05")


def test_a_financial_year_adds_up_its_months_and_medians_from_the_babies(figures: Personas) -> None:
    """All four 2024 babies were born in May, so the financial year 2024/25 holds exactly the calendar year's
    babies: its added-up figures must equal the stored year's, medians included."""
    year = {(r.level, r.org_code, r.kpi): r.aggregate for r in figure_rows(NETWORK_2024, policy=None)}
    fy = {(r.level, r.org_code, r.kpi): r.aggregate
          for r in figure_rows(Scope("network", None, periods.parse("FY2024")), policy=None)}
    assert year.keys() == fy.keys()
    for key, stored in year.items():
        added = fy[key]
        if key[2] in RATE_PER:  # a rate per live births exists for calendar years only (kpis.incidence)
            continue
        if stored is None:
            assert added is None
            continue
        assert added is not None
        assert (added.numerator, added.denominator, added.missing, added.not_eligible) == (
            stored.numerator, stored.denominator, stored.missing, stored.not_eligible), key
        assert (added.n, added.median, added.q1, added.q3) == (stored.n, stored.median, stored.q1, stored.q3), key
    assert periods.parse("FY2023") and not [r for r in figure_rows(Scope("network", None, periods.parse("FY2023")),
                                                                   policy=None) if r.aggregate]
