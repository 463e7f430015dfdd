"""Server-side SVG charts (issue 3 item 5): control limits, run rules, and the SVG/caption/table contract."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.template.loader import render_to_string

from kpis import pagecharts
from kpis.charts import (
    Chart,
    FunnelPoint,
    RateBar,
    ReferenceLine,
    RunPoint,
    detect_shifts,
    detect_trends,
    funnel_limits,
    funnel_plot,
    rate_bar_chart,
    run_chart,
)
from kpis.charts.funnel import Z_95, Z_998, Position, binomial_cdf, exact_limits, position
from kpis.charts.gchart import Gap, g_chart, g_limits, gaps
from kpis.charts.run import axis_labels
from kpis.models import KpiAggregate
from kpis.outcome import Direction
from kpis.periods import PeriodType

SVG_NS = "{http://www.w3.org/2000/svg}"

UNITS = [
    FunnelPoint("Addenbrooke's <NICU> & co", 20, 25),
    FunnelPoint("Norwich", 5, 30),
    FunnelPoint("Luton", 40, 45),
    FunnelPoint("Ipswich", 0, 0),
    FunnelPoint("Bedford", 9, 10),
]
MONTHS = [f"2024-{month:02d}" for month in range(1, 13)] + [f"2025-{month:02d}" for month in range(1, 9)]
RATES = [0.5, 0.55, 0.6, 0.52, 0.58, 0.61, 0.5, None, 0.57, 0.56, 0.6, 0.62,
         0.7, 0.72, 0.75, 0.74, 0.8, 0.85, 0.86, 0.9]
KPIS = [
    RateBar("Cooling started within 6 hours", 40, 44, target=0.9),
    RateBar("Overcooling before centre", 2, 30),
    RateBar("MRI day 5 to 14", 0, 0, target=0.8),
    RateBar("Placenta sent", 8, 10, target=0.95),
]


def a_funnel() -> Chart:
    return funnel_plot(UNITS, title="Cooling started within 6 hours", direction=Direction.HIGHER)


def a_run_chart() -> Chart:
    points = [RunPoint(label, rate, 10 + index) for index, (label, rate) in enumerate(zip(MONTHS, RATES, strict=True))]
    return run_chart(points, title="Target temperature within 6 hours", target=0.9,
                     reference=ReferenceLine("East of England baseline (2012)", 0.36))


def a_bar_chart() -> Chart:
    return rate_bar_chart(KPIS, title="Network overview 2024")


def an_empty_chart() -> Chart:
    return run_chart([], title="Cooling started within 6 hours")


ALL_CHARTS: list[Callable[[], Chart]] = [a_funnel, a_run_chart, a_bar_chart, an_empty_chart]


# --- Funnel control limits (Spiegelhalter 2005, normal approximation) ---------------------------------

@pytest.mark.parametrize(("p", "n", "z", "low", "high"), [
    # sd = sqrt(0.8 × 0.2 / 25) = 0.08 exactly; 1.96 × 0.08 = 0.1568.
    pytest.param(0.8, 25, 1.96, 0.6432, 0.9568, id="p=0.8 n=25 z=1.96"),
    # 3.090232 × 0.08 = 0.247219: the upper limit is clipped at 100 %.
    pytest.param(0.8, 25, Z_998, 0.552781, 1.0, id="p=0.8 n=25 99.8%: clipped high"),
    pytest.param(0.5, 100, 1.96, 0.402, 0.598, id="p=0.5 n=100"),
    # sd = sqrt(0.1 × 0.9 / 9) = 0.1; 1.96 × 0.1 = 0.196 runs below zero.
    pytest.param(0.1, 9, 1.96, 0.0, 0.296, id="p=0.1 n=9: clipped low"),
    pytest.param(0.0, 10, 1.96, 0.0, 0.0, id="p=0: no spread"),
    pytest.param(1.0, 10, 1.96, 1.0, 1.0, id="p=1: no spread"),
])
def test_funnel_limits_against_hand_computed_values(p: float, n: int, z: float, low: float, high: float) -> None:
    assert funnel_limits(p, n, z) == pytest.approx((low, high), abs=1e-6)


def test_z_values_are_exact_normal_quantiles() -> None:
    assert abs(Z_95 - 1.959964) < 1e-6
    assert abs(Z_998 - 3.090232) < 1e-6


def test_limits_narrow_as_the_denominator_grows() -> None:
    widths = [high - low for low, high in (funnel_limits(0.7, n, Z_95) for n in (10, 20, 40, 80))]
    assert widths == sorted(widths, reverse=True)


@pytest.mark.parametrize(("p", "n"), [(-0.1, 10), (1.1, 10), (0.5, 0), (0.5, -3)])
def test_funnel_limits_refuse_impossible_input(p: float, n: int) -> None:
    with pytest.raises(ValueError, match="Need"):
        funnel_limits(p, n, Z_95)


@pytest.mark.parametrize(("numerator", "expected"), [
    pytest.param(20, Position.WITHIN, id="80%: on target"),
    pytest.param(15, Position.OUTSIDE_95, id="60%: below 64.3%, above 55.3%"),
    pytest.param(12, Position.OUTSIDE_998, id="48%: below 55.3%"),
])
def test_position_against_the_hand_computed_limits(numerator: int, expected: Position) -> None:
    assert position(FunnelPoint("Unit", numerator, 25), target=0.8) is expected


# --- Run-chart rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    pytest.param([6] * 6, [range(0, 6)], id="6 above: a shift"),
    pytest.param([6] * 5, [], id="5 above: not a shift"),
    pytest.param([4] * 6, [range(0, 6)], id="6 below: a shift"),
    pytest.param([6, 6, 6, 5, 6, 6], [], id="median point does not count: 5"),
    pytest.param([6, 6, 6, 5, 6, 6, 6], [range(0, 7)], id="median point does not break: 6"),
    pytest.param([5, 6, 6, 6, 6, 6, 6, 5], [range(1, 7)], id="median points at the ends are outside"),
    pytest.param([4, 4, 6, 6, 6, 6, 6, 6, 4], [range(2, 8)], id="crossing the median ends a run"),
    pytest.param([6] * 6 + [4] * 6, [range(0, 6), range(6, 12)], id="two shifts"),
    pytest.param([6, 4] * 6, [], id="alternating"),
    pytest.param([5] * 8, [], id="all on the median"),
    pytest.param([], [], id="empty"),
])
def test_detect_shifts(values: list[float], expected: list[range]) -> None:
    assert detect_shifts(values, median=5) == expected


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param([1, 2, 3, 4, 5], [range(0, 5)], id="5 rising: a trend"),
    pytest.param([1, 2, 3, 4], [], id="4 rising: not a trend"),
    pytest.param([5, 4, 3, 2, 1], [range(0, 5)], id="5 falling: a trend"),
    pytest.param([4, 3, 2, 1], [], id="4 falling: not a trend"),
    pytest.param([1, 2, 2, 3, 4], [], id="repeated value does not count: 4"),
    pytest.param([1, 2, 2, 3, 4, 5], [range(0, 6)], id="repeated value does not break: 5"),
    pytest.param([3, 3, 4, 5, 6, 7], [range(1, 6)], id="starts at the last repeated value"),
    pytest.param([1, 2, 3, 4, 5, 4, 3, 2, 1], [range(0, 5), range(4, 9)], id="turning point shared"),
    pytest.param([1, 2, 3, 2, 3, 4, 5], [], id="a dip breaks it: 3 then 4"),
    pytest.param([7, 1, 2, 3, 4, 5], [range(1, 6)], id="after a fall"),
    pytest.param([2], [], id="single"),
    pytest.param([], [], id="empty"),
])
def test_detect_trends(values: list[float], expected: list[range]) -> None:
    assert detect_trends(values) == expected


# --- The SVG contract, for every chart kind ------------------------------------------------------------

@pytest.mark.parametrize("make", ALL_CHARTS)
def test_svg_is_accessible_scalable_inline_xml(make: Callable[[], Chart]) -> None:
    chart = make()
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.get("width") is None
    assert root.get("height") is None
    title = root.find(f"{SVG_NS}title")
    assert title is not None
    assert title.get("id") == root.get("aria-labelledby")
    assert chart.title in (title.text or "")
    assert not chart.svg.startswith("<?xml")
    assert "<!DOCTYPE" not in chart.svg


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_svg_has_no_images_or_fonts_and_real_text(make: Callable[[], Chart]) -> None:
    chart = make()
    assert "<image" not in chart.svg
    assert "@font-face" not in chart.svg
    assert "<text" in chart.svg
    assert len(chart.svg) < 60_000


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_same_input_gives_identical_svg(make: Callable[[], Chart]) -> None:
    assert make().svg == make().svg


def test_identical_svg_when_drawn_from_several_threads() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        svgs = list(pool.map(lambda _: a_funnel().svg, range(4)))
    assert len(set(svgs)) == 1


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_ids_are_unique_prefixed_and_every_reference_resolves(make: Callable[[], Chart]) -> None:
    chart = make()
    root = ET.fromstring(chart.svg)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    assert all(str(element_id).startswith(str(root.get("id"))) for element_id in ids)
    hrefs = [value for element in root.iter() for key, value in element.attrib.items() if key.endswith("href")]
    assert all(href.removeprefix("#") in ids for href in hrefs)


def test_two_charts_on_one_page_share_no_ids() -> None:
    def ids(chart: Chart) -> set[str]:
        return {str(element.get("id")) for element in ET.fromstring(chart.svg).iter() if element.get("id")}

    assert not ids(a_funnel()) & ids(a_run_chart())


# --- Funnel plot -------------------------------------------------------------------------------------------

def test_funnel_table_rows_match_the_input_in_order() -> None:
    chart = a_funnel()
    assert chart.table.header == ("Unit", "Met", "Eligible", "Rate", "Position")
    assert chart.table.rows == (
        ("Addenbrooke's <NICU> & co", "20", "25", "80.0%", "Within 95% limits"),
        ("Norwich", "5", "30", "16.7%", "Below 99.8% limit (worse)"),
        ("Luton", "40", "45", "88.9%", "Above 99.8% limit (better)"),
        ("Ipswich", "0", "0", "–", "No eligible cases"),
        ("Bedford", "9", "10", "90.0%", "Within 95% limits"),
    )


def test_funnel_labels_only_the_outliers() -> None:
    texts = ["".join(element.itertext()) for element in ET.fromstring(a_funnel().svg).iter(f"{SVG_NS}text")]
    assert "Norwich" in texts
    assert "Luton" in texts
    assert "Bedford" not in texts


def test_funnel_caption_gives_n_target_direction_and_outliers() -> None:
    caption = a_funnel().caption
    # Network rate over the plotted units: 74 / 110.
    assert caption == (
        "Funnel plot of Cooling started within 6 hours for 4 units (110 eligible cases) against the network "
        "rate of 67.3% with 95% and 99.8% control limits; higher is better; 2 units are outside the 99.8% "
        "limits (Norwich and Luton)."
    )


def test_funnel_with_an_explicit_target_and_lower_is_better() -> None:
    chart = funnel_plot(UNITS[:2], title="Overcooling", direction=Direction.LOWER, target=0.5)
    assert "against the target of 50.0%" in chart.caption
    assert "lower is better" in chart.caption
    assert chart.table.rows[1][-1] == "Below 99.8% limit (better)"


def test_funnel_escapes_labels_in_the_svg() -> None:
    chart = funnel_plot([FunnelPoint("A <b>&", 1, 30), FunnelPoint("B", 29, 30)], title="T <x>",
                        direction=Direction.HIGHER, target=0.9)
    assert "<b>" not in chart.svg
    texts = ["".join(element.itertext()) for element in ET.fromstring(chart.svg).iter(f"{SVG_NS}text")]
    assert "A <b>&" in texts


@pytest.mark.parametrize("points", [
    pytest.param([], id="empty"),
    pytest.param([FunnelPoint("Luton", 4, 5)], id="single unit"),
    pytest.param([FunnelPoint("Luton", 0, 0), FunnelPoint("Bedford", 0, 0)], id="no eligible cases"),
])
def test_funnel_without_enough_units_says_so(points: list[FunnelPoint]) -> None:
    chart = funnel_plot(points, title="Cooling started within 6 hours", direction=Direction.HIGHER)
    assert chart.caption.startswith("Not enough data to draw a funnel plot of Cooling started within 6 hours")
    assert "Not enough data" in chart.svg
    assert [row[0] for row in chart.table.rows] == [point.label for point in points]


def test_funnel_refuses_a_numerator_above_its_denominator() -> None:
    with pytest.raises(ValueError, match="Luton"):
        funnel_plot([FunnelPoint("Luton", 6, 5)], title="T", direction=Direction.HIGHER)


# --- Run chart ---------------------------------------------------------------------------------------------

def test_run_chart_table_rows_match_the_input_with_signals() -> None:
    chart = a_run_chart()
    assert chart.table.header == ("Period", "Rate", "Cases", "Signal")
    assert [row[0] for row in chart.table.rows] == MONTHS
    assert chart.table.rows[7] == ("2024-08", "–", "17", "")
    assert chart.table.rows[0] == ("2024-01", "50.0%", "10", "")
    assert chart.table.rows[-1] == ("2025-08", "90.0%", "29", "Shift and trend")


def test_run_chart_caption_states_median_n_and_rules() -> None:
    # Median of the first 12 plotted values (2024-08 has none): 0.57 and 0.58 → 57.5 %.
    assert a_run_chart().caption == (
        "Run chart of Target temperature within 6 hours for 20 periods from 2024-01 to 2025-08 (390 cases), "
        "with the median of 57.5% over the first 12 plotted periods; 1 shift (6 or more points on one side of "
        "the median) and 2 trends (5 or more points rising or falling) found."
    )


def test_run_chart_draws_target_and_reference_lines() -> None:
    svg = a_run_chart().svg
    assert "Target 90.0%" in svg
    assert "East of England baseline (2012) 36.0%" in svg


def test_run_chart_gap_neither_counts_nor_breaks_a_shift() -> None:
    values = [0.1, 0.3, 0.6, 0.6, None, 0.6, 0.6, 0.6]
    points = [RunPoint(f"2024-Q{index}", value, 5) for index, value in enumerate(values)]
    chart = run_chart(points, title="T", baseline_points=2)  # median of 0.1 and 0.3 = 0.2
    assert [row[3] for row in chart.table.rows] == ["", "Shift", "Shift", "Shift", "", "Shift", "Shift", "Shift"]


def test_run_chart_points_on_the_median_are_not_highlighted() -> None:
    values = [0.4, 0.6, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]  # baseline of 3 → median 0.5
    points = [RunPoint(str(index), value, 5) for index, value in enumerate(values)]
    signals = [row[3] for row in run_chart(points, title="T", baseline_points=3).table.rows]
    assert signals == ["", "Shift", "", "Shift", "Shift", "Shift", "Shift", "Shift"]


def test_run_chart_uses_all_points_when_fewer_than_the_baseline() -> None:
    points = [RunPoint(str(index), value, 3) for index, value in enumerate([30.0, 60.0, 90.0])]
    chart = run_chart(points, title="Age at cooling start", percent_scale=False, value_label="Median minutes")
    assert "median of 60 over the first 3 plotted periods" in chart.caption
    assert chart.table.rows[0] == ("0", "30", "3", "")


@pytest.mark.parametrize("points", [
    pytest.param([], id="empty"),
    pytest.param([RunPoint("2024-01", 0.5, 4)], id="single point"),
    pytest.param([RunPoint("2024-01", 0.5, 4), RunPoint("2024-02", None, 0)], id="one value and a gap"),
])
def test_run_chart_without_enough_points_says_so(points: list[RunPoint]) -> None:
    chart = run_chart(points, title="Cooling started within 6 hours")
    assert chart.caption.startswith("Not enough data to draw a run chart of Cooling started within 6 hours")
    assert "Not enough data" in chart.svg
    assert [row[0] for row in chart.table.rows] == [point.label for point in points]


# --- Bar chart with intervals ----------------------------------------------------------------------------

def test_bar_chart_table_has_wilson_intervals_and_targets() -> None:
    chart = a_bar_chart()
    assert chart.table.header == ("KPI", "Met", "Eligible", "Rate", "95% interval", "Target")
    assert chart.table.rows == (
        ("Cooling started within 6 hours", "40", "44", "90.9%", "78.8% to 96.4%", "90.0%"),
        ("Overcooling before centre", "2", "30", "6.7%", "1.8% to 21.3%", "–"),
        ("MRI day 5 to 14", "0", "0", "No eligible cases", "–", "80.0%"),
        ("Placenta sent", "8", "10", "80.0%", "49.0% to 94.3%", "95.0%"),  # test_wilson.py's 8/10
    )


def test_bar_chart_caption() -> None:
    assert a_bar_chart().caption == (
        "Bar chart of Network overview 2024: the rate for each of 4 KPIs (10 to 44 eligible cases each) with "
        "its 95% Wilson score interval and targets where set."
    )


@pytest.mark.parametrize("bars", [pytest.param([], id="empty"), pytest.param([RateBar("A", 0, 0)], id="no cases")])
def test_bar_chart_without_data_says_so(bars: list[RateBar]) -> None:
    chart = rate_bar_chart(bars, title="Network overview")
    assert chart.caption.startswith("Not enough data to draw a bar chart of Network overview")
    assert len(chart.table.rows) == len(bars)


# --- Template include ------------------------------------------------------------------------------------

def test_chart_include_renders_figure_caption_and_data_table() -> None:
    chart = a_funnel()
    html = render_to_string("kpis/partials/chart.html", {"chart": chart})
    assert chart.svg in html
    assert f"<figcaption class=\"nhsuk-body-s nhsuk-u-margin-top-2\">{chart.caption}</figcaption>" in html
    assert '<details class="nhsuk-details">' in html
    assert "Show the data" in html
    assert html.count('<th scope="col"') == len(chart.table.header)
    assert html.count('<th scope="row"') == len(chart.table.rows)
    assert "Addenbrooke&#x27;s &lt;NICU&gt; &amp; co" in html
    assert "<NICU>" not in html


# --- Run chart: every period, the one not over yet, counts and readable labels (issue 15) ----------------------

def test_run_chart_table_lists_counts_when_given_and_marks_the_period_not_over_yet() -> None:
    points = [RunPoint("2024-01", 0.5, 4, 2, 1, start=date(2024, 1, 1)),
              RunPoint("2024-02", None, 0, 0, 0, start=date(2024, 2, 1)),
              RunPoint("2024-03", 1.0, 2, 2, 0, start=date(2024, 3, 1)),
              RunPoint("2024-04", 0.0, 1, 0, 0, partial=True, start=date(2024, 4, 1))]
    chart = run_chart(points, title="T")
    assert chart.table.header == ("Period", "Rate", "Met", "Cases", "Missing", "Signal")
    assert chart.table.rows == (("2024-01", "50.0%", "2", "4", "1", ""), ("2024-02", "–", "0", "0", "0", ""),
                                ("2024-03", "100.0%", "2", "2", "0", ""),
                                ("2024-04 (not over yet)", "0.0%", "0", "1", "0", ""))
    assert "2024-04 is not over yet, so it is drawn open and left out of the median" in chart.caption
    assert "median of 75.0% over the first 2 plotted periods" in chart.caption  # 50% and 100%, not the 0%
    assert "Not over yet (open marker)" in chart.svg


def test_run_chart_labels_months_then_quarters_then_years_as_they_crowd() -> None:
    def labels(count: int) -> list[str]:
        starts = [date(2021 + (m // 12), m % 12 + 1, 1) for m in range(count)]
        return [label for _, label in axis_labels([RunPoint(f"{d:%Y-%m}", 0.5, 1, start=d) for d in starts])]

    assert labels(14)[:3] == ["Jan\n2021", "Feb", "Mar"] and labels(14)[12] == "Jan\n2022"
    assert labels(25)[:5] == ["Q1\n2021", "Q2", "Q3", "Q4", "Q1\n2022"]  # every month still has its point
    assert len(labels(61)) == 21 and labels(61)[-1] == "Q1\n2026"
    assert labels(120) == [str(year) for year in range(2021, 2031)]


def test_run_chart_draws_a_target_under_its_own_name() -> None:
    points = [RunPoint(str(i), 0.5 + i / 100, 5) for i in range(4)]
    assert "Network aim 90.0%" in run_chart(points, title="T", target=0.9, target_label="Network aim").svg


def test_run_points_put_every_month_on_the_axis_with_gaps_and_the_run_dates_month_open() -> None:
    def row(month: int, numerator: int, denominator: int) -> KpiAggregate:
        start = date(2024, month, 1)
        return KpiAggregate(period_key=f"2024-{month:02d}", period_start=start, period_end=start.replace(day=28),
                            numerator=numerator, denominator=denominator, missing=1,
                            rate=numerator / denominator)

    points = pagecharts.run_points([row(1, 1, 2), row(4, 2, 2)], by=PeriodType.MONTH, until=date(2024, 6, 4),
                                   run_date=date(2024, 6, 4), median=False)
    assert [(p.label, p.value, p.n, p.partial) for p in points] == [
        ("2024-01", 0.5, 2, False), ("2024-02", None, 0, False), ("2024-03", None, 0, False),
        ("2024-04", 1.0, 2, False), ("2024-05", None, 0, False), ("2024-06", None, 0, True)]
    quarters = pagecharts.run_points([row(1, 1, 2)], by=PeriodType.QUARTER, until=date(2024, 12, 31),
                                     run_date=date(2024, 12, 31), median=False)
    assert [p.label for p in quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert not quarters[-1].partial  # the run date is the quarter's last day: it is over


# --- Funnel: names on hover, the viewer's units, the aim ------------------------------------------------------

def test_every_funnel_point_names_its_unit_on_hover_and_the_viewers_units_stand_out() -> None:
    chart = funnel_plot(UNITS, title="Cooling", direction=Direction.HIGHER, highlight=frozenset({"Bedford"}),
                        aim=0.85)
    titles = ["".join(e.itertext()) for e in ET.fromstring(chart.svg).iter(f"{SVG_NS}title")]
    assert "Bedford: 9 of 10 (90.0%), within 95% limits" in titles
    assert "Norwich: 5 of 30 (16.7%), below 99.8% limit (worse)" in titles
    assert sum(1 for t in titles if ": " in t and " of " in t) == 4  # every plotted unit (Ipswich has none)
    texts = ["".join(e.itertext()) for e in ET.fromstring(chart.svg).iter(f"{SVG_NS}text")]
    assert "Bedford" in texts and "Your units" in texts and "Network aim 85.0%" in texts
    assert ("Bedford (your unit)", "9", "10", "90.0%", "Within 95% limits") in chart.table.rows


# --- g-chart ------------------------------------------------------------------------------------------------------

def test_gaps_count_the_babies_between_breaches_and_the_open_count_last() -> None:
    days = [date(2024, 1, d) for d in range(1, 11)]
    breaches = [False, False, True, True, False, False, False, True, False, False]
    assert gaps(breaches, days) == [Gap(date(2024, 1, 3), 2), Gap(date(2024, 1, 4), 0), Gap(date(2024, 1, 8), 3),
                                    Gap(None, 2, open=True)]


def test_g_limits_are_benneyans() -> None:
    limits = g_limits([2, 0, 3, 7])  # mean 3: upper 3 + 3·√(3·4) = 13.392
    assert limits.centre == 3 and limits.upper == pytest.approx(3 + 3 * 12 ** 0.5) and limits.lower == 0


def test_g_chart_table_caption_and_signal() -> None:
    series = [Gap(date(2024, 1, i + 1), babies) for i, babies in enumerate([2, 0, 3, 1, 40])] + [Gap(None, 5, True)]
    chart = g_chart(series, title="Cooling within 6 h", breach_name="breach", breach_plural="breaches")
    assert chart.table.rows[-2] == ("5", "05/01/2024", "40", "Above the upper limit")
    assert chart.table.rows[-1] == ("Since the latest", "–", "5", "Still counting")
    assert chart.caption.startswith("g-chart of Cooling within 6 h: babies between one breach and the next, for "
                                    "5 breaches, with the mean of 9.2 babies")
    assert "1 gap is above the upper limit" in chart.caption and "5 babies since the latest one" in chart.caption
    few = g_chart([Gap(date(2024, 1, 1), 3), Gap(None, 9, True)], title="T", breach_name="breach",
                  breach_plural="breaches")
    assert few.caption == ("Not enough breaches to draw a g-chart of T: it needs at least 3 and there is 1; "
                           "9 babies since the latest one.")


# --- Exact binomial limits (issue 15: "1 of 1" is not significantly different) --------------------------------

@pytest.mark.parametrize(("numerator", "denominator", "target", "expected"), [
    pytest.param(1, 1, 0.07, Position.WITHIN, id="1 of 1 against 7%: P(X ≥ 1) = 7%"),
    pytest.param(1, 5, 0.75, Position.OUTSIDE_95, id="1 of 5 against 75%: P(X ≤ 1) = 1.6%"),
    pytest.param(0, 12, 0.8, Position.OUTSIDE_998, id="0 of 12 against 80%: P(X = 0) = 0.2^12"),
    pytest.param(3, 4, 0.98, Position.WITHIN, id="3 of 4 against 98%: P(X ≤ 3) = 7.8%"),
])
def test_positions_are_exact_binomial_tests(numerator: int, denominator: int, target: float,
                                            expected: Position) -> None:
    assert position(FunnelPoint("Unit", numerator, denominator), target) is expected


def test_binomial_cdf_against_hand_computed_values() -> None:
    assert binomial_cdf(4, 0.98)[3] == pytest.approx(1 - 0.98 ** 4)
    assert binomial_cdf(5, 0.75)[1] == pytest.approx(0.25 ** 5 + 5 * 0.75 * 0.25 ** 4)
    assert binomial_cdf(3, 0.0) == [1.0, 1.0, 1.0, 1.0] and binomial_cdf(3, 1.0) == [0.0, 0.0, 0.0, 1.0]
    assert binomial_cdf(2000, 0.97)[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [1, 2, 7, 25, 120])
@pytest.mark.parametrize("p", [0.07, 0.5, 0.97])
def test_a_point_is_flagged_exactly_when_it_is_beyond_the_drawn_limit(n: int, p: float) -> None:
    low, high = exact_limits(p, n, 0.025)
    for k in range(n + 1):
        flagged = position(FunnelPoint("Unit", k, n), p) is not Position.WITHIN
        assert flagged is (k / n < low or k / n > high), (k, n, p)


def test_exact_limits_approach_the_normal_approximation_as_the_babies_grow() -> None:
    exact, normal = exact_limits(0.8, 2000, 0.025), funnel_limits(0.8, 2000, Z_95)
    assert exact == pytest.approx(normal, abs=0.002)
