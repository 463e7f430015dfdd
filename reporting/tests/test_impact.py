"""Impact estimates: the arithmetic pinned, like with like, only the babies treated because of the
improvement, rounding to what the inputs support, cumulative from a programme start, and the POP mortality
estimates under the same rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.testing.personas import Personas
from kpis import services as kpi_services
from reporting import content, impact, periods
from reporting.impact import SPECS, about, estimate, money_range
from reporting.impact_defaults import DEFAULTS
from reporting.models import ImpactInput
from reporting.tests.conftest import AS_OF, cooled

SPEC = {s.key: s for s in SPECS}


def _inputs(**changes: dict[str, object]) -> dict[str, ImpactInput]:
    """The seeded inputs (not saved: these tests need no database), with any changes."""
    rows = {str(row["key"]): ImpactInput(**row) for row in DEFAULTS}
    for key, values in changes.items():
        row = rows.setdefault(key, ImpactInput(key=key, label=key, unit="%", source="", year=2024))
        for name, value in values.items():
            setattr(row, name, value)
    return rows


@pytest.mark.parametrize(("value", "words"), [
    (0.3, "fewer than 1 case"), (0.8, "about 1 case"), (1.49, "about 1 case"), (4.6, "about 5 cases"),
    (18.54, "about 20 cases"), (60.9, "about 60 cases"), (282.4, "about 280 cases"),
])
def test_counts_are_rounded_to_what_the_inputs_support(value: float, words: str) -> None:
    assert about(value, "case", "cases") == words


@pytest.mark.parametrize(("low", "high", "words"), [
    (536_000, 664_000, "£0.5–0.7 million"), (20_000, 30_000, "less than £0.1 million"),
    (12_420_000, 15_390_000, "£12–15 million"), (25_625_000, 35_875_000, "£26–36 million"),
    (150_000_000, 190_000_000, "£150–190 million"), (1_000_000, 1_040_000, "£1.0 million"),
])
def test_money_is_a_rounded_range(low: float, high: float, words: str) -> None:
    assert money_range(low, high) == words


def test_london_magnesium_sulphate_reproduces_the_published_order_of_magnitude() -> None:
    """South London's POP report: 92% of mothers of babies born before 30 weeks given magnesium sulphate over
    six years (April 2018 to March 2024), about 2,450 such births (the region has about 410 a year, roughly a
    tenth of England's 4,000), headlined as 61 cases of cerebral palsy prevented, £61 million.

    That headline divides *every* mother treated by the NNT (2,254 ÷ 37 = 60.9). Our method counts only the
    mothers treated because of the improvement: above the rate before it, 64% (the national rate in 2017,
    before the national programme), which gives about 20 cases, £12–15 million: the same order of magnitude,
    tens of cases and tens of millions, without claiming the babies who would have been treated anyway."""
    treated, eligible = 2254, 2450
    assert round(treated / eligible, 3) == 0.920
    published_way = estimate(SPEC["magnesium"], (treated, eligible), _inputs(mgso4_baseline_rate={"value": 0}))
    assert published_way.prevented == pytest.approx(60.92, abs=0.01)  # the published 61

    honest = estimate(SPEC["magnesium"], (treated, eligible), _inputs(mgso4_baseline_rate={"value": Decimal("64")}))
    assert honest.expected == pytest.approx(1568.0)
    assert honest.extra == pytest.approx(686.0)
    assert honest.prevented == pytest.approx(18.54, abs=0.01)  # 686 ÷ 37
    assert honest.saving == pytest.approx((12_422_162, 15_388_649), abs=1)  # × £670,000 and £830,000
    assert honest.headline == "about 20 cases of cerebral palsy prevented"
    assert honest.money == "£12–15 million of lifetime costs avoided"
    assert honest.saving is not None
    assert 10 <= honest.prevented < 100 and 10e6 <= honest.saving[1] < 100e6  # the published order of magnitude


def test_the_issue_s_hypothermia_overclaim_is_not_repeated() -> None:
    """Cooling started within 6 h (passive cooling counts, so about 100%) against the 36% that its source gives
    for *target temperature* within 6 h: not like with like, so no estimate, and it says why."""
    found = estimate(SPEC["hypothermia"], (88, 88), _inputs())
    assert not found.shown and found.headline == "" and found.money == ""
    assert found.reason == ("Not shown: the baseline (36%, 2009) is a rate of target temperature reached within 6 "
                            "hours, not of cooling started within 6 hours, so it cannot show how many more babies "
                            "were treated because of the improvement.")
    assert [i.key for i in found.inputs] == ["th_baseline_rate", "th_nnt", "hie_disability_cost_low",
                                             "hie_disability_cost_high"]  # the inputs are still shown


def test_the_east_of_england_framing_with_a_like_baseline() -> None:
    """41 babies cooled within 6 h who would otherwise have missed it, NNT 8: about 5 babies, £26–36 million
    (the project said ≥5 babies, £26–35m, at £5–7m each)."""
    found = estimate(SPEC["hypothermia"], (53, 100), _inputs(th_baseline_rate={"value": 12,
                                                                             "measure": "cooling_started_6h"}))
    assert (found.expected, found.extra, found.prevented) == pytest.approx((12.0, 41.0, 5.125))
    assert found.headline == "about 5 babies surviving with normal neurology who otherwise would not"
    assert found.money == "£26–36 million of lifetime costs avoided"


def test_no_benefit_is_claimed_below_the_baseline() -> None:
    found = estimate(SPEC["magnesium"], (80, 100), _inputs())  # 80% against 85.7%
    assert (found.extra, found.prevented) == (0.0, 0.0)
    assert found.headline == "fewer than 1 case of cerebral palsy prevented"
    assert found.notes == ("No more babies were treated than the baseline rate would give, so no benefit is "
                           "claimed.",)


def test_pop_mortality_estimates_follow_the_same_rules() -> None:
    # Deferred cord clamping: 800 of 1,000 against 68.3% → 117 extra × 6.4% risk × 32% fall = 2.40 deaths.
    cord = estimate(SPEC["cord"], (800, 1000), _inputs())
    assert (cord.extra, cord.prevented) == pytest.approx((117.0, 2.39616))
    assert cord.headline == "about 2 deaths before discharge prevented" and cord.money == ""
    # Antenatal steroids: no national rate is published, so no baseline until the network enters its own.
    steroids = estimate(SPEC["steroids"], (900, 1000), _inputs())
    assert not steroids.shown and "no baseline rate of antenatal steroids" in steroids.reason
    own = estimate(SPEC["steroids"], (900, 1000), _inputs(steroids_baseline_rate={
        "value": 80, "measure": "pop_antenatal_steroids"}))
    assert own.prevented == pytest.approx(100 * 0.064 * 0.31)  # 1.98
    assert own.headline == "about 2 deaths before discharge prevented"
    # An input removed: not shown, and it says so.
    gone = _inputs()
    del gone["preterm_mortality_risk"]
    assert estimate(SPEC["cord"], (800, 1000), gone).reason == "Not shown: an input it needs has been removed or " \
                                                               "set to zero."


def test_small_numbers_withhold_an_estimate_in_a_report_for_outside() -> None:
    found = estimate(SPEC["magnesium"], (3, 4), _inputs(), withheld=True)
    assert found.reason == "Not shown: the counts it rests on are small numbers."


@pytest.mark.django_db
def test_estimates_add_up_from_the_programme_start(people: Personas) -> None:
    for day, minutes in enumerate((30, 200, 400), start=1):
        cooled(people, day=day, minutes=minutes)  # May 2024: 2 of 3 within 6 h
    cooled(people, day=9, minutes=60, month=2)  # February 2024: 1 of 1
    kpi_services.compute(as_of=AS_OF)
    ImpactInput.objects.filter(key="th_baseline_rate").update(measure="cooling_started_6h")
    found = content.network_impact(periods.parse("2024-Q2"), date(2024, 1, 15))
    hypothermia = next(e for e in found if e["title"] == SPEC["hypothermia"].title)["results"]
    assert [e["for"] for e in hypothermia] == ["Q2 2024 (April to June 2024)",
                                               "since January 2024 (programme start) to June 2024"]
    assert hypothermia[0]["working"].startswith("2 of 3 eligible babies were treated; the baseline rate would "
                                                "have treated 1.1")
    assert hypothermia[1]["working"].startswith("3 of 4 eligible babies were treated; the baseline rate would "
                                                "have treated 1.4")
    assert impact.measure_title("pop_magnesium_sulphate") == "Magnesium sulphate within 24 hours before birth"
