"""The board report writes a population rate's interval as the dashboards do (per 1,000 live births), and
its celebrating-success note states the rule the overview panel applies (improvement.success.rule_text)."""

from __future__ import annotations

from kpis.models import KpiAggregate
from reporting.figures import FigureRow
from reporting.sections import _interval


def _row(kpi: str, numerator: int, denominator: int) -> FigureRow:
    aggregate = KpiAggregate(kpi=kpi, numerator=numerator, denominator=denominator,
                             rate=numerator / denominator)
    return FigureRow(level="network", org_code="EOE", org_name="East of England", kpi=kpi, aggregate=aggregate)


def test_incidence_interval_is_per_1000_live_births() -> None:
    # 9 babies with moderate or severe HIE in 6,000 live births: 1.50 per 1,000, Wilson 0.79–2.85 per 1,000.
    text = _interval(_row("hie_incidence_per_1000", 9, 6000))[0]
    assert text == "0.79–2.85"
    assert "%" not in text


def test_a_cases_rate_interval_stays_in_percent() -> None:
    assert _interval(_row("cooling_started_6h", 85, 88))[0] == "90%–99%"


def test_report_rule_names_the_rule_the_panel_applies() -> None:
    from improvement import success

    words = success.rule_text("none", shown=None)
    assert f"at least {success.MIN_DENOMINATOR} babies" in words
    assert "East of England" not in words
    assert "At most" not in words  # a report lists every celebrated unit
    assert "published East of England 2012 figure" in success.rule_text("all")
