"""The case timeline and the stored KPI outcomes agree on every demo case (issue 17, "One home for clinical
rules"): both read their thresholds from `pathway.standards`, and this holds them to the same verdict.

The demo generator is seeded (fixed seed and run date), the HIE KPIs are computed, and for each cooled case
and each standard the timeline checks, `timeline.kpi_outcome(check)` must equal the stored `CaseOutcome`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest

from core.timeutil import LONDON
from kpis import services
from kpis.models import CaseOutcome
from pathway import timeline
from pathway.management.commands.seed_demo import seed_demo_data
from pathway.models import Case

AS_OF = date(2025, 6, 30)
# The standards the timeline judges: one check function each, named by its KPI code.
STANDARDS = ("cooling_started_6h", "target_temp_6h", "core_monitoring_before_transfer", "overcooling_before_centre",
             "arrival_temp_in_range", "servo_cooling_in_transport", "cooling_72h_completed", "controlled_rewarming",
             "parent_consultation_24h", "mri_day5_14")


@pytest.mark.django_db
def test_timeline_verdict_equals_the_stored_kpi_outcome_on_every_demo_case() -> None:
    seed_demo_data(seed=2026, as_of=AS_OF, years=2)
    services.compute(as_of=AS_OF)
    stored = {(o.case_id, o.kpi): o.outcome for o in CaseOutcome.objects.filter(kpi__in=STANDARDS)}
    # The end of the run date: what the nightly run of that day sees.
    as_of = datetime.combine(AS_OF + timedelta(days=1), time(0), tzinfo=LONDON)

    cases = list(Case.objects.filter(entered_in_error=False))
    disagreements = []
    seen: Counter[tuple[str, str]] = Counter()
    for case in cases:
        checks = {check.code: check for check in timeline.checks_for(case, as_of)}
        for code in STANDARDS:
            verdict = timeline.kpi_outcome(checks.get(code))
            kpi = stored.get((case.pk, code), "not_eligible")
            seen[code, kpi] += 1
            if verdict != kpi:
                disagreements.append(f"{case.case_ref} {code}: timeline {verdict}, KPI {kpi}")

    assert not disagreements, "\n".join(disagreements[:20])
    # The comparison meant something: every standard was met and not met (or missing) on some case.
    assert len(cases) > 100
    for code in STANDARDS:
        assert seen[code, "met"] > 0, code
        assert seen[code, "not_met"] + seen[code, "missing"] > 0, code
