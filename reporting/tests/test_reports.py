"""Board reports as network leads use them: the figures, comparisons, charts, impact estimates and data
completeness; the fixed CSV layout; small numbers in reports for outside the network; the narrative page
with its preview and audited history; and who may do any of it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis.baselines import PUBLISHED
from reporting import content, services
from reporting.figures import COLUMNS, Scope, figure_rows, layout_row
from reporting.models import BoardReport, ImpactInput
from reporting.render import report_html
from reporting.tests.conftest import client_for
from units.models import Unit

pytestmark = pytest.mark.django_db
NETWORK_2024 = Scope("network", None, "2024")


def _line(c: content.ReportContent, code: str) -> content.ReportLine:
    return next(line for line in c.lines if line.kpi.code == code)


def _row(html: str, attribute: str, code: str) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" {attribute}="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _chart_svg(html: str) -> str:
    figure = html.split('<figure class="app-chart', 1)[1]
    return figure[figure.index("<svg"):figure.index("</svg>") + len("</svg>")]


# --- What the report shows -------------------------------------------------------------------------------------


def test_network_report_shows_rate_interval_n_baseline_and_national(figures: Personas) -> None:
    built = content.build_for(NETWORK_2024, title="Board", external=False)
    line = _line(built, "target_temp_6h")
    assert (line.result, line.interval, line.counts) == ("75%", "30%–95%", "3 of 4")  # Wilson 3/4: 0.3006–0.9544
    assert line.kpi.published == PUBLISHED["target_temp_6h"]

    html = report_html(built)
    assert _row(html, "data-kpi", "target_temp_6h").startswith(
        "Target temperature reached within 6 hours Higher is better 75% 30%–95% 3 of 4 36% → 91%")
    assert "10.6% (UK arrivals below 33 °C" in _row(html, "data-kpi", "overcooling_before_centre")
    assert "0% → 100%" in _row(html, "data-kpi", "core_monitoring_before_transfer")


def test_unit_report_compares_with_the_network(figures: Personas) -> None:
    watford = Unit.objects.get(ods_code="RWG02")
    built = content.build_for(Scope("birth_unit", watford, "2024"), title="Watford", external=False)
    line = _line(built, "cooling_started_6h")
    assert (line.result, line.counts, line.network_text) == ("67%", "2 of 3", "75%")
    assert {r.org_code for r in built.rows} == {"RWG02", "network"}


def test_charts_are_the_dashboards_own_svgs(figures: Personas) -> None:
    client = client_for(figures.lead)
    run_page = client.get(reverse("kpis:run", args=["cooling_started_6h"]), {"level": "network"}).content.decode()
    funnel_page = client.get(reverse("kpis:funnel", args=["cooling_started_6h"]),
                             {"period": "2024", "level": "birth_unit"}).content.decode()

    assert content.run_chart_for("cooling_started_6h", NETWORK_2024).svg.strip() == _chart_svg(run_page)
    assert content.funnel_for("cooling_started_6h", NETWORK_2024).svg.strip() == _chart_svg(funnel_page)
    assert "<circle" in _chart_svg(funnel_page) or "<path" in _chart_svg(funnel_page)
    svgs = [chart.svg for chart in content.charts(NETWORK_2024)]
    assert len(svgs) == 11  # six run charts, five funnels (the median measure has none)
    assert all(svg in report_html(content.build_for(NETWORK_2024, title="B", external=False)) for svg in svgs)


def test_impact_estimate_uses_the_inputs_and_shows_them(figures: Personas) -> None:
    built = content.build_for(NETWORK_2024, title="Board", external=False)
    estimate = built.estimates[0].estimate
    # 3 of 4 cooled within 6 h against a 36% baseline: 1.44 expected, 1.56 extra, ÷ NNT 8 = 0.195 babies.
    assert (estimate.treated, estimate.eligible) == (3, 4)
    assert estimate.extra == pytest.approx(1.56)
    assert estimate.helped == pytest.approx(0.195)
    assert estimate.saving == pytest.approx((975_000, 1_365_000))
    html = report_html(built)
    block = html.split('data-estimate="cooling_started_6h"', 1)[1].split("</div>", 1)[0]
    assert "<strong>0.2</strong>" in block
    assert "8 babies treated" in block and "Edwards et al., BMJ 2010" in block and "36 %" in block

    ImpactInput.objects.filter(key="th_nnt").update(value=Decimal("4"))
    again = content.build_for(NETWORK_2024, title="Board", external=False).estimates[0].estimate
    assert again.helped == pytest.approx(0.39)
    # No magnesium figures are stored (POP not computed here): said so, inputs still shown.
    mgso4 = html.split('data-estimate="pop_magnesium_sulphate"', 1)[1].split("</div>", 1)[0]
    assert "No figure for this scope and period" in mgso4 and "NNAP 2020" in mgso4


def test_seeded_impact_inputs_follow_domain_section_6() -> None:
    inputs = {i.key: i for i in ImpactInput.objects.all()}
    assert inputs["th_nnt"].value == 8 and inputs["mgso4_nnt"].value == 37
    assert (inputs["hie_disability_cost_low"].value, inputs["hie_disability_cost_high"].value) == (5_000_000,
                                                                                                   7_000_000)
    assert all(i.source and i.year for i in inputs.values())


def test_completeness_counts_missing_per_kpi(figures: Personas) -> None:
    from pathway.models import Case

    case = Case.objects.order_by("id").first()
    assert case is not None
    services_case_update(figures, case, placenta_sent="")
    built = content.build_for(NETWORK_2024, title="Board", external=False)
    placenta = next(c for c in built.completeness if c.row.kpi == "placenta_sent")
    assert (placenta.missing, placenta.recorded, placenta.percent_missing) == ("1", "3", "25%")


def services_case_update(people: Personas, case: object, **values: object) -> None:
    from kpis import services as kpi_services
    from pathway import services as pathway_services
    from reporting.tests.conftest import AS_OF

    pathway_services.case_update(case=case, values=values, by=people.nurse,
                                 expected_version=case.version)  # type: ignore[attr-defined]
    kpi_services.compute(as_of=AS_OF)


# --- Fixed layout and small numbers ---------------------------------------------------------------------------------


def test_fixed_layout_columns_and_a_row(figures: Personas) -> None:
    assert COLUMNS[:8] == ("level", "org_code", "org_name", "period", "kpi", "title", "direction", "numerator")
    assert len(COLUMNS) == 25 and COLUMNS[-1] == "suppressed"
    rows = figure_rows(NETWORK_2024, external=False)
    first = dict(zip(COLUMNS, layout_row(rows[0], "2024"), strict=True))
    assert first == {**first, "level": "network", "org_code": "network", "kpi": "cooling_started_6h",
                     "numerator": "3", "not_met": "1", "denominator": "4", "rate": "0.7500",
                     "ci_low": "0.3006", "ci_high": "0.9544", "suppressed": "no"}
    blocks = list(dict.fromkeys((r.level, r.org_code) for r in rows))
    assert blocks == [("network", "network"), ("birth_unit", "RDE03"), ("birth_unit", "RWG02"),
                      ("cooling_centre", "RGT01"), ("cooling_centre", "RM102")]


def test_external_report_suppresses_small_counts_and_their_complements(figures: Personas) -> None:
    rows = {(r.level, r.org_code, r.kpi): dict(zip(COLUMNS, layout_row(r, "2024"), strict=True))
            for r in figure_rows(NETWORK_2024, external=True)}
    ipswich = rows[("birth_unit", "RDE03", "cooling_started_6h")]
    # Ipswich: 1 met, 0 not met → 1 and its total are "<5"; the rate would give them back, so it goes too.
    assert (ipswich["numerator"], ipswich["not_met"], ipswich["denominator"], ipswich["rate"]) == ("<5", "0", "<5", "")
    network = rows[("network", "network", "cooling_started_6h")]
    assert (network["numerator"], network["not_met"], network["denominator"]) == ("<5", "<5", "<5")
    assert network["suppressed"] == "yes" and network["ci_low"] == ""


def test_external_report_with_large_counts_shows_them(people: Personas) -> None:
    from kpis import services as kpi_services
    from reporting.tests.conftest import AS_OF, cooled

    for day in range(1, 8):
        cooled(people, day=day, minutes=30)  # Watford: 7 of 7
    for day in range(10, 16):
        cooled(people, day=day, minutes=30, birth_unit="RDE03", centre="RM102")  # Ipswich: 6 of 6
    kpi_services.compute(as_of=AS_OF)
    rows = {(r.level, r.org_code, r.kpi): dict(zip(COLUMNS, layout_row(r, "2024"), strict=True))
            for r in figure_rows(NETWORK_2024, external=True)}
    network = rows[("network", "network", "cooling_started_6h")]
    assert (network["numerator"], network["not_met"], network["denominator"], network["rate"]) == (
        "13", "0", "13", "1.0000")


def test_external_report_leaves_charts_out_and_says_why(figures: Personas) -> None:
    built = content.build_for(NETWORK_2024, title="For the audit", external=True)
    assert built.charts == []
    html = report_html(built)
    assert "For sharing outside the network." in html and "Counts from 1 to 4 are shown as &lt;5" in html
    assert _row(html, "data-kpi", "cooling_started_6h").startswith(
        "Cooling started within 6 hours Higher is better Not shown (small numbers) &lt;5 of &lt;5")


def test_threshold_is_a_setting(figures: Personas, settings: object) -> None:
    settings.SMALL_NUMBER_THRESHOLD = 2  # type: ignore[attr-defined]
    rows = {(r.level, r.org_code, r.kpi): dict(zip(COLUMNS, layout_row(r, "2024"), strict=True))
            for r in figure_rows(NETWORK_2024, external=True)}
    # Only 1 is small now. Network cooling_started_6h: 3 met, 1 not met, 4 eligible. Ipswich's 1 met and its
    # 1 eligible are hidden, and with them the Watford cells that would give them back (3 = 1 + 2 …).
    assert [rows[("birth_unit", "RDE03", "cooling_started_6h")][c] for c in ("numerator", "not_met", "denominator")
            ] == ["<2", "0", "<2"]
    # Core monitoring: met by all 4 babies; no count of 1 in the network row, so it shows in full.
    assert [rows[("network", "network", "core_monitoring_before_transfer")][c]
            for c in ("numerator", "not_met", "denominator")] == ["4", "0", "4"]


# --- Narrative, preview and history ----------------------------------------------------------------------------------


def _form(**overrides: object) -> dict[str, object]:
    return {"title": "Q2 board report", "level": "network", "org": "", "period_key": "2024-Q2",
            "summary": "Cooling within 6 hours is holding.", "highlights": "", "concerns": "", "actions": "",
            **overrides}


def test_lead_creates_previews_and_edits_a_report_and_history_is_kept(figures: Personas) -> None:
    client = client_for(figures.lead)
    response = client.post(reverse("reporting:create"), _form())
    report = BoardReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:preview", args=[report.pk])

    preview = client.get(response["Location"]).content.decode()
    assert "Cooling within 6 hours is holding." in preview and "Q2 2024" in preview
    assert _row(preview, "data-kpi", "cooling_started_6h").startswith(
        "Cooling started within 6 hours Higher is better 75% 30%–95% 3 of 4")

    client.post(reverse("reporting:edit", args=[report.pk]), _form(summary="Better than last quarter."))
    report.refresh_from_db()
    assert report.summary == "Better than last quarter."
    events = list(AuditEvent.objects.filter(object_type="reporting.boardreport").order_by("id"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].actor == figures.lead
    assert events[1].changes == {"summary": ["Cooling within 6 hours is holding.", "Better than last quarter."]}
    page = client.get(reverse("reporting:edit", args=[report.pk])).content.decode()
    assert "Better than last quarter." in page and "summary: “Cooling within 6 hours is holding.”" in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"level": "birth_unit", "org": ""}, "org", "Choose the birth unit or cooling centre"),
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
    assert month.value.message_dict == {"period_key": ["A board report covers a quarter (2024-Q3) or a year (2024)"]}
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
