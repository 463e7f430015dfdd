"""Celebrating success: the rule table by table (pure), then over stored rows in two queries, and the panels
on the KPI overview and in the board report (HTML and PDF)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.testing.personas import Personas
from improvement import success
from improvement.success import Target, judge, sustained_shift, target_reached
from kpis import orgscope
from kpis.definitions.base import Level
from kpis.models import KpiAggregate, KpiRun
from kpis.orgscope import OrgRef
from kpis.outcome import Direction
from kpis.periods import PeriodType
from reporting import content, periods
from reporting.figures import Scope
from reporting.render import report_html
from reporting.tests.conftest import client_for
from units.models import Network, Unit
from units.services import LONDON_FILE, organisations_load_file

LOW, HIGH = 0.4, 0.9
BASE = [0.5, 0.6] * 6  # baseline median 0.55

SHIFT_CASES: list[tuple[str, list[float], Direction, int]] = [
    ("six better months after the baseline", BASE + [HIGH] * 6, Direction.HIGHER, 6),
    ("eight better months", BASE + [LOW, LOW] + [HIGH] * 8, Direction.HIGHER, 8),
    ("only five better months: no shift", BASE + [LOW] * 3 + [HIGH] * 5, Direction.HIGHER, 0),
    ("six worse months, higher is better", BASE + [LOW] * 6, Direction.HIGHER, 0),
    ("six lower months, lower is better", BASE + [LOW] * 6, Direction.LOWER, 6),
    ("a shift that ended before the latest month", BASE + [HIGH] * 6 + [LOW], Direction.HIGHER, 0),
    ("points on the median neither count nor break", BASE + [HIGH] * 3 + [0.55] + [HIGH] * 3, Direction.HIGHER, 6),
    ("latest month on the median after a shift", BASE + [HIGH] * 6 + [0.55], Direction.HIGHER, 6),
    ("too few months for a baseline and a shift", BASE[:11] + [HIGH] * 6, Direction.HIGHER, 0),
    ("monitored KPI", BASE + [HIGH] * 6, Direction.MONITOR, 0),
    ("baseline months never extend a shift", [0.1] * 6 + [0.9] * 6 + [0.1] + [0.9] * 5, Direction.HIGHER, 0),
]


@pytest.mark.parametrize(("label", "values", "direction", "expected"), SHIFT_CASES, ids=[c[0] for c in SHIFT_CASES])
def test_sustained_shift(label: str, values: list[float], direction: Direction, expected: int) -> None:
    assert sustained_shift(values, direction) == expected


TARGET = Target(0.91, "East of England 2012 figure")
TARGET_CASES: list[tuple[str, float | None, int, Target | None, Direction, bool]] = [
    ("at the target", 0.91, 20, TARGET, Direction.HIGHER, True),
    ("above the target", 0.95, 20, TARGET, Direction.HIGHER, True),
    ("just below", 0.909, 20, TARGET, Direction.HIGHER, False),
    ("too few babies", 1.0, 9, TARGET, Direction.HIGHER, False),
    ("exactly the minimum", 1.0, 10, TARGET, Direction.HIGHER, True),
    ("no rate", None, 20, TARGET, Direction.HIGHER, False),
    ("no target", 0.99, 20, None, Direction.HIGHER, False),
    ("lower is better, at or below", 0.0, 10, Target(0.0, "x"), Direction.LOWER, True),
    ("lower is better, above", 0.05, 10, Target(0.0, "x"), Direction.LOWER, False),
]


@pytest.mark.parametrize(("label", "rate", "denominator", "target", "direction", "expected"), TARGET_CASES,
                         ids=[c[0] for c in TARGET_CASES])
def test_target_reached(label: str, rate: float | None, denominator: int, target: Target | None,
                        direction: Direction, expected: bool) -> None:
    assert target_reached(rate, denominator, target, direction) is expected


def test_targets_come_from_the_published_2012_figures_then_the_national_comparator() -> None:
    assert success.target_for("target_temp_6h") == Target(0.91, "East of England 2012 figure")
    assert success.target_for("overcooling_before_centre") == Target(0.0, "East of England 2012 figure")
    assert success.target_for("placenta_sent") == Target(0.30, "national comparator")
    assert success.target_for("cooling_72h_completed") is None


def _months(kpi: str, org: str, values: list[float], first: date = date(2022, 1, 1)) -> list[success.MonthRow]:
    rows: list[success.MonthRow] = []
    for i, value in enumerate(values):
        month = first.month - 1 + i
        rows.append((kpi, org, org.title(), date(first.year + month // 12, month % 12 + 1, 1), value))
    return rows


def test_judge_reads_rows_in_any_order_and_gives_reasons() -> None:
    months = _months("cooling_started_6h", "rwg02", BASE + [HIGH] * 7)
    rolling = [("target_temp_6h", "rde03", "Rde03", date(2023, 1, 1), 0.5, 30),
               ("target_temp_6h", "rde03", "Rde03", date(2023, 2, 1), 0.95, 20),  # the latest counts
               ("cooling_started_6h", "rwg02", "Rwg02", date(2023, 2, 1), 0.5, 20)]
    found = judge(reversed(months), reversed(rolling))
    assert [(c.org_code, c.kpi, c.shift_months, c.reached_target) for c in found] == [
        ("rde03", "target_temp_6h", 0, True), ("rwg02", "cooling_started_6h", 7, False)]
    assert found[0].reasons == ["95% over 12 months reached the East of England 2012 figure (91%)"]
    assert found[1].reasons == ["7 months in a row better than its baseline median"]
    assert found[1].latest_month == date(2023, 7, 1)


def test_judge_ignores_monitored_kpis_and_median_measures() -> None:
    rows = _months("cooled_outside_criteria", "rwg02", BASE + [HIGH] * 6) + \
        _months("age_at_cooling_start_min", "rwg02", BASE + [HIGH] * 6)
    rolling = [(code, "rwg02", "Rwg02", date(2023, 6, 1), 0.5, 40)
               for code in ("cooled_outside_criteria", "age_at_cooling_start_min")]
    assert judge(rows, rolling) == []


@pytest.mark.parametrize(("denominator", "celebrated"), [(9, False), (10, True)])
def test_a_shift_needs_ten_babies_in_the_latest_twelve_months(denominator: int, celebrated: bool) -> None:
    months = _months("cooling_started_6h", "rwg02", BASE + [HIGH] * 6)
    rolling = [("cooling_started_6h", "rwg02", "Rwg02", date(2023, 6, 1), 0.9, denominator)]
    assert bool(judge(months, rolling)) is celebrated
    assert judge(months, []) == []  # no babies in the latest 12 months: nothing current to celebrate


@pytest.mark.parametrize(("deaths", "babies", "celebrated"), [
    (0, 10, False),  # 0% but the interval runs to 28%: chance, not success
    (0, 20, False),  # interval to 16%, above the national 9.3%
    (0, 40, True),  # interval to 8.8%: below the national figure
    (1, 60, True),
])
def test_deaths_are_celebrated_only_when_the_whole_interval_is_below_the_national_figure(
        deaths: int, babies: int, celebrated: bool) -> None:
    rolling = [("mortality_before_discharge", "rwg02", "Rwg02", date(2023, 6, 1), deaths / babies, babies)]
    assert bool(judge([], rolling)) is celebrated


def test_months_without_a_death_are_never_a_celebrated_shift() -> None:
    months = _months("mortality_before_discharge", "rwg02", [0.2, 0.1] * 6 + [0.0] * 8)
    rolling = [("mortality_before_discharge", "rwg02", "Rwg02", date(2023, 6, 1), 0.05, 20)]
    rates = [m[4] for m in months if m[4] is not None]
    assert sustained_shift(rates, Direction.LOWER) == 8  # a shift by the run-chart rule
    assert judge(months, rolling) == []  # but an outcome in small numbers is not celebrated for it


def test_the_panel_shows_at_most_eight_longest_shifts_first() -> None:
    found = [success.Celebration(f"U{i}", f"Unit {i}", "cooling_started_6h", shift, None, 0.9, None, False, 20)
             for i, shift in enumerate([6, 9, 7, 0, 8, 6, 6, 6, 10, 6])]
    both = success.Celebration("UB", "Both", "target_temp_6h", 6, None, 0.95, TARGET, True, 12)
    listed = success.shortlist([*found, both])
    assert len(listed.shown) == success.SHOWN == 8 and listed.more == 3
    assert [c.org_code for c in listed.shown[:4]] == ["UB", "U8", "U1", "U4"]  # both reasons, then longest


# --- Over stored rows ------------------------------------------------------------------------------------------


def _store(run: KpiRun, unit: Unit, kpi: str, period_type: str, start: date, rate: float | None,
           denominator: int = 10) -> None:
    key = f"{start:%Y-%m}" if period_type == PeriodType.MONTH else f"R12-{start:%Y-%m}"
    KpiAggregate.objects.create(kpi=kpi, level=Level.BIRTH_UNIT, org=unit, org_code=unit.ods_code,
                                period_type=period_type, period_key=key, period_start=start, period_end=start,
                                numerator=round((rate or 0) * denominator), denominator=denominator, rate=rate,
                                run=run, definition_version=1)


@pytest.fixture
def stored(people: Personas) -> Personas:
    """Watford: cooling within 6 h shifts up for its last 6 months. Ipswich: target temperature within 6 h
    at 95% over the latest 12 months (the 2012 figure is 91%). Luton: nothing to celebrate."""
    run = KpiRun.objects.create(as_of=date(2023, 6, 30), status=KpiRun.Status.SUCCEEDED)
    units = {u.ods_code: u for u in Unit.objects.filter(ods_code__in=["RWG02", "RDE03", "RC971"])}
    for i, value in enumerate(BASE + [HIGH] * 6):
        start = date(2022 + i // 12, i % 12 + 1, 1)
        _store(run, units["RWG02"], "cooling_started_6h", PeriodType.MONTH, start, value)
        _store(run, units["RDE03"], "cooling_started_6h", PeriodType.MONTH, start, 0.55 if i % 2 else 0.45)
    _store(run, units["RDE03"], "target_temp_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.95, 20)
    _store(run, units["RWG02"], "cooling_started_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.85, 20)
    _store(run, units["RWG02"], "target_temp_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.80, 20)
    _store(run, units["RWG02"], "target_temp_6h", PeriodType.MONTH, date(2022, 6, 1), None, 0)
    return people


def test_celebrations_from_stored_rows_worked_out_once_per_version_of_the_figures(stored: Personas) -> None:
    orgscope.warm_tree()  # as every KPI run does when it finishes
    with CaptureQueriesContext(connection) as queries:
        found = success.celebrations()
    assert len(queries) == 5  # the figures' version, the newest rolling window, the two series, the tree's version
    assert [(c.unit_name, c.kpi) for c in found] == [("Ipswich", "target_temp_6h"), ("Watford", "cooling_started_6h")]

    with CaptureQueriesContext(connection) as queries:
        assert success.celebrations() == found
    assert len(queries) == 1  # only the version: the rows have not changed

    # A newer run's rows (here: Luton reaching the figure) change the version, so they are read again.
    _store(KpiRun.objects.create(as_of=date(2023, 7, 31), status=KpiRun.Status.SUCCEEDED),
           Unit.objects.get(ods_code="RC971"), "target_temp_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.96, 25)
    assert ("Luton & Dunstable", "target_temp_6h") in [(c.unit_name, c.kpi) for c in success.celebrations()]


def test_only_the_newest_rolling_window_counts_as_the_latest_rate(stored: Personas) -> None:
    """Ipswich reached the figure in the window to May 2023 but has no row in a newer window: no babies in
    the latest 12 months, so no current rate to celebrate."""
    _store(KpiRun.objects.get(), Unit.objects.get(ods_code="RWG02"), "target_temp_6h", PeriodType.ROLLING_12M,
           date(2022, 7, 1), 0.80, 20)
    KpiAggregate.objects.filter(period_key="R12-2022-07").update(period_end=date(2023, 6, 30))
    assert "Ipswich" not in [c.unit_name for c in success.celebrations()]


def _panel(html: str) -> str:
    return html.split('data-panel="celebrating-success"', 1)[1].split("</section>", 1)[0]


def test_overview_page_shows_the_panel_with_its_rule(stored: Personas) -> None:
    _store(KpiRun.objects.get(), Unit.objects.get(ods_code="RWG02"), "cooling_started_6h", PeriodType.YEAR,
           date(2022, 1, 1), 0.5)  # the overview needs a period to show
    KpiAggregate.objects.filter(period_type=PeriodType.YEAR).update(level=Level.NETWORK, org=None,
                                                                    org_code="network", period_key="2022")
    page = client_for(stored.clinician).get(reverse("kpis:overview")).content.decode()
    panel = _panel(page)
    assert "6 or more months in a row on the better side" in panel
    assert 'data-celebrated="RWG02:cooling_started_6h"' in panel and "6 months in a row better" in panel
    assert 'data-celebrated="RDE03:target_temp_6h"' in panel and "95% over 12 months reached" in panel


def test_board_report_html_and_pdf_list_the_celebrated_units(stored: Personas) -> None:
    from weasyprint import HTML

    built = content.build_for(Scope("network", None, periods.parse("2023")), title="Board", external=False)
    html = report_html(built)
    panel = html.split("Celebrating success", 1)[1].split("</table>", 1)[0]
    assert "Watford" in panel and "Cooling started within 6 hours" in panel
    document = HTML(string=html).render()
    text = " ".join(_texts(page._page_box) for page in document.pages)
    assert "Celebrating success" in text and "Watford" in text and "95% over 12 months reached" in text
    external = report_html(content.build_for(Scope("network", None, periods.parse("2023")), title="Board",
                                             external=True))
    assert "Celebrating success" not in external  # unit rates over small counts stay inside the network


def _texts(box: Any) -> str:
    own = [box.text] if getattr(box, "text", None) else []
    return " ".join(own + [_texts(child) for child in getattr(box, "children", [])])


def test_only_the_publishing_networks_units_are_judged_against_the_2012_figure() -> None:
    """95% target temperature within 6 h reaches the East of England 2012 figure (91%); a unit of another
    network has no published figure of its own and the KPI has no national comparator, so it is not celebrated."""
    rolling = [("target_temp_6h", "EOE1", "Ipswich", date(2022, 6, 1), 0.95, 20),
               ("target_temp_6h", "SL1", "Lewisham", date(2022, 6, 1), 0.95, 20)]
    found = judge([], rolling, published_units={"EOE1"})
    assert [(c.org_code, c.target.label if c.target else None) for c in found] == [
        ("EOE1", "East of England 2012 figure")]
    assert [c.org_code for c in judge([], rolling)] == ["EOE1", "SL1"]  # no network known: the figure applies


@pytest.fixture
def london_stored(stored: Personas) -> Personas:
    """`stored` (East of England: Watford, Ipswich) and the London networks, Lewisham (South London) with a
    6-month shift in cooling within 6 h and 95% target temperature (no London baseline: not a success)."""
    organisations_load_file(LONDON_FILE)
    run = KpiRun.objects.get()
    lewisham = Unit.objects.get(ods_code="RJ224")
    for i, value in enumerate(BASE + [HIGH] * 6):
        _store(run, lewisham, "cooling_started_6h", PeriodType.MONTH, date(2022 + i // 12, i % 12 + 1, 1), value)
    _store(run, lewisham, "cooling_started_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.85, 20)
    _store(run, lewisham, "target_temp_6h", PeriodType.ROLLING_12M, date(2022, 6, 1), 0.95, 20)
    orgscope.warm_tree()
    return stored


def _listed(ref: OrgRef) -> list[tuple[str, str]]:
    panel = success.panel(orgscope.tree().units_in(ref, orgscope.today()))
    return [(c.org_code, c.kpi) for c in panel.shown]


def test_each_organisations_panel_lists_only_its_own_units(london_stored: Personas) -> None:
    eoe = Network.objects.get(code="EOE")
    assert _listed(OrgRef(Level.NETWORK, "SL")) == [("RJ224", "cooling_started_6h")]
    assert _listed(OrgRef(Level.NETWORK, "NCEL")) == []
    assert _listed(OrgRef(Level.REGION, "Y56")) == [("RJ224", "cooling_started_6h")]
    assert sorted(_listed(OrgRef(Level.NETWORK, eoe.code))) == [("RDE03", "target_temp_6h"),
                                                                ("RWG02", "cooling_started_6h")]
    assert _listed(OrgRef(Level.TRUST, "RWG")) == [("RWG02", "cooling_started_6h")]  # Watford's trust
    assert _listed(OrgRef(Level.BIRTH_UNIT, "RDE03")) == [("RDE03", "target_temp_6h")]
    # The rule's wording: the 2012 figure applies to all of the East of England's units, none of London's.
    units = orgscope.tree().units_in
    assert success.panel(units(OrgRef(Level.NETWORK, "EOE"), orgscope.today())).published == "all"
    assert success.panel(units(OrgRef(Level.REGION, "Y56"), orgscope.today())).published == "none"
    assert success.panel(None).published == "some"


def test_a_london_overview_never_lists_an_east_of_england_unit_nor_its_baseline(london_stored: Personas) -> None:
    _store(KpiRun.objects.get(), Unit.objects.get(ods_code="RWG02"), "cooling_started_6h", PeriodType.YEAR,
           date(2022, 1, 1), 0.5)  # the overview needs a period to show
    KpiAggregate.objects.filter(period_type=PeriodType.YEAR).update(level=Level.NETWORK, org=None,
                                                                    org_code="EOE", period_key="2022")
    client = client_for(london_stored.lead)
    london = _panel(client.get(reverse("kpis:overview") + "?level=network&org=SL").content.decode())
    assert 'data-celebrated="RJ224:cooling_started_6h"' in london
    assert "RWG02" not in london and "RDE03" not in london and "Watford" not in london
    assert "East of England" not in london and "reached the national comparator" in london
    eoe = _panel(client.get(reverse("kpis:overview") + "?level=network&org=EOE").content.decode())
    assert "RJ224" not in eoe and 'data-celebrated="RWG02:cooling_started_6h"' in eoe
    assert "published East of England 2012 figure" in eoe
