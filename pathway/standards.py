"""The clinical standards of the HIE pathway: every threshold, written once.

The KPI definitions (kpis/definitions/), the case timeline, the completeness rules, the worklist, the live
board, the validation rules and the temperature derivations all read their numbers from here, so changing a
standard is a one-line change and the screens can never disagree with the figures.

Pure Python (no Django), so that models, KPI definitions and templates' helpers can all import it.

Sources: ../shared/spec/kpis.md (KPI table and "Conventions"; where it and domain.md differ, kpis.md wins),
../shared/reference/domain.md (§2.1 TOBY criteria, §2.3 cooling and rewarming, §2.4 MRI, §8.1 validation).
Conventions (kpis.md "Conventions"): intervals are measured on exact instants, no rounding; boundaries are
inclusive unless a name says otherwise ("BELOW", "UNTIL" = excluded).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Final

MINUTES_PER_HOUR: Final = 60

# --- The 6-hour window -----------------------------------------------------------------------------------
# kpis.md "Conventions": "within 6 h" is ≤ 360 minutes from time zero (postnatal collapse, else birth).
# kpis.md `cooling_started_6h`, `target_temp_6h`; `cooled_outside_criteria` uses > 360 min; domain.md §2.3.
SIX_HOURS_MIN: Final = 6 * MINUTES_PER_HOUR
SIX_HOURS: Final = timedelta(minutes=SIX_HOURS_MIN)
# The live board (issue 13): a baby inside the window turns amber at 4 h and red at 5 h of age.
WINDOW_AMBER_MIN: Final = 4 * MINUTES_PER_HOUR
WINDOW_RED_MIN: Final = 5 * MINUTES_PER_HOUR

# --- Core temperature -----------------------------------------------------------------------------------
# Target range 33.0–34.0 °C, both ends inclusive (kpis.md `arrival_temp_in_range`; domain.md §2.3, set-point
# 33.5 °C). Overcooled is below 33.0 (kpis.md `overcooling_before_centre`); severe below 32.0 (domain.md §2.3
# and §8.1 "Temperature flags").
TARGET_LOW_C: Final = Decimal("33.0")
TARGET_HIGH_C: Final = Decimal("34.0")
TARGET_SET_POINT_C: Final = Decimal("33.5")
OVERCOOLED_BELOW_C: Final = TARGET_LOW_C
SEVERE_OVERCOOLED_BELOW_C: Final = Decimal("32.0")
# Plausible core readings: 28.0–42.0 °C accepted, outside is likely an entry error (domain.md §8.1, Hard).
PLAUSIBLE_LOW_C: Final = Decimal("28.0")
PLAUSIBLE_HIGH_C: Final = Decimal("42.0")
# Normothermia after rewarming 36.5–37.5 °C; ≥ 37.5 after rewarming is hyperthermia (domain.md §2.3, §8.1).
NORMOTHERMIA_LOW_C: Final = Decimal("36.5")
NORMOTHERMIA_HIGH_C: Final = Decimal("37.5")
# The arrival temperature is the first core reading within an hour of arrival at the cooling centre: the
# admission reading (dataset.md `arrival_temp_c`, derived from the series in pathway.temperatures).
ARRIVAL_READING_WITHIN: Final = timedelta(hours=1)

# --- Cooling and rewarming ------------------------------------------------------------------------------
# 72 h at target (domain.md §2.3); the KPI accepts 70–74 h inclusive from target reached to rewarming start
# (kpis.md `cooling_72h_completed`; the ±2 h tolerance is domain.md §8.1 "Cooling duration", §4.2 H10).
COOLING_HOURS: Final = 72
COOLING_SHORTEST_H: Final = 70
COOLING_LONGEST_H: Final = 74
COOLING_SHORTEST_MIN: Final = COOLING_SHORTEST_H * MINUTES_PER_HOUR
COOLING_LONGEST_MIN: Final = COOLING_LONGEST_H * MINUTES_PER_HOUR
COOLING: Final = timedelta(hours=COOLING_HOURS)
# Controlled rewarming takes at least 6 h, start to end (kpis.md `controlled_rewarming`, ≥ 360 min); CPS
# gives 6–12 h (domain.md §2.3), so 12 h after it started rewarming has ended.
REWARMING_SHORTEST_MIN: Final = 6 * MINUTES_PER_HOUR
REWARMING_LONGEST: Final = timedelta(hours=12)
# 72 h at target plus the first hours of rewarming: by 80 h past target rewarming has started in every
# course that ran to time (the completeness rule chases an empty rewarming start from then on).
REWARMING_DUE_AFTER_TARGET: Final = timedelta(hours=80)

# --- Family ---------------------------------------------------------------------------------------------
# Senior consultation with parents within 24 h of admission (kpis.md `parent_consultation_24h`, ≤ 24 h).
PARENT_CONSULTATION_MIN: Final = 24 * MINUTES_PER_HOUR

# --- MRI ------------------------------------------------------------------------------------------------
# Day 5–14 of life: 120 h ≤ MRI − birth < 360 h (kpis.md `mri_day5_14`; domain.md §2.4, BAPM 2020). Days
# of life count from day 0 (the day of birth), so day 5 starts at 120 h and day 14 ends at 360 h.
MRI_FIRST_DAY: Final = 5
MRI_LAST_DAY: Final = 14
MRI_FROM_H: Final = MRI_FIRST_DAY * 24  # start of day 5: 120 h
MRI_UNTIL_H: Final = (MRI_LAST_DAY + 1) * 24  # end of day 14, excluded: 360 h
MRI_FROM_MIN: Final = MRI_FROM_H * MINUTES_PER_HOUR
MRI_UNTIL_MIN: Final = MRI_UNTIL_H * MINUTES_PER_HOUR
MRI_FROM: Final = timedelta(hours=MRI_FROM_H)
MRI_UNTIL: Final = timedelta(hours=MRI_UNTIL_H)

# --- Follow-up ------------------------------------------------------------------------------------------
# The 2-year assessment at 18–30 months (domain.md §8.1 "Follow-up"): the worklist lists it from 18 months
# and it is due by 30; the `followup_2y` KPI counts a baby once 30 months old (kpis.md v2 "Birth cohorts").
FOLLOW_UP_FROM_MONTHS: Final = 18
FOLLOW_UP_DUE_MONTHS: Final = 30
FOLLOW_UP_KPI_MIN_AGE_MONTHS: Final = FOLLOW_UP_DUE_MONTHS
# Worklist items close themselves this many years after birth (issue 13, "configurable" default).
WORKLIST_HORIZON_YEARS: Final = 3

# --- Eligibility (TOBY, domain.md §2.1; kpis.md v2 "Derived eligibility") ------------------------------
# Cooling criteria: ≥ 36+0 weeks; moderate or severe encephalopathy (grade ≥ 2). Cooled below 36+0, with
# grade ≤ 1 or started after 6 h is "cooled outside criteria" (kpis.md `cooled_outside_criteria`).
COOLING_MIN_GESTATION: Final = (36, 0)
MILD_HIE_GRADE_MAX: Final = 1
TOBY_B_MIN_GRADE: Final = MILD_HIE_GRADE_MAX + 1
# Criterion A: Apgar ≤ 5 at 10 min, or pH < 7.00, or base deficit ≥ 16.0 mmol/L within 60 min of birth.
TOBY_A_APGAR_10_MAX: Final = 5
TOBY_A_PH_BELOW: Final = Decimal("7.00")
TOBY_A_BASE_DEFICIT_MIN: Final = Decimal("16.0")
# MNSI referral applies to term babies (≥ 37+0) after labour with active cooling (kpis.md `mnsi_referral`,
# domain.md §2.5).
MNSI_MIN_GESTATION: Final = (37, 0)


def target_range_text() -> str:
    """ "33.0–34.0 °C", for messages and labels that must say the same range the rules use."""
    return f"{TARGET_LOW_C}–{TARGET_HIGH_C} °C"


def in_target(temp_c: Decimal) -> bool:
    """A core temperature inside the target range (both ends included)."""
    return TARGET_LOW_C <= temp_c <= TARGET_HIGH_C


def overcooled(temp_c: Decimal) -> bool:
    return temp_c < OVERCOOLED_BELOW_C


def cooling_duration_ok(minutes: float) -> bool:
    """Target-to-rewarming within the accepted 70–74 h (both ends included, exact minutes)."""
    return COOLING_SHORTEST_MIN <= minutes <= COOLING_LONGEST_MIN


def mri_in_window(minutes_after_birth: float) -> bool:
    """An MRI from the start of day 5 up to (not including) the end of day 14 of life."""
    return MRI_FROM_MIN <= minutes_after_birth < MRI_UNTIL_MIN
