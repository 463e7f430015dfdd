"""Referral to the transport team at the bedside, in minutes (median measure).

kpis.md v2, median measures, `referral_to_team_arrival_min`: outborn TH babies; value =
`transport_team_arrived_datetime` − `referral_datetime` in exact minutes; missing when either time is empty.
Cohort, rule and levels: `kpis.definitions.transport_median`.
"""

from __future__ import annotations

from kpis.definitions.transport_median import TransportMedian

CODE = "referral_to_team_arrival_min"
TITLE = "Referral to transport team at the bedside (minutes)"
VERSION = 1
MEASURE = "Minutes from the referral call to the transport team arriving at the baby's bedside."
MISSING = "The referral time or the team's arrival time is not recorded."

_MEDIAN = TransportMedian(start=lambda facts: facts.referral_datetime,
                          end=lambda facts: facts.transport_team_arrived_datetime)
SOURCE, DIRECTION, LEVELS, COHORT = _MEDIAN.SOURCE, _MEDIAN.DIRECTION, _MEDIAN.LEVELS, _MEDIAN.COHORT
CITATION, MEASURE_TYPE = _MEDIAN.CITATION, _MEDIAN.MEASURE_TYPE
value = _MEDIAN.value
