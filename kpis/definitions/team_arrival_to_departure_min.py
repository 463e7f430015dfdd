"""Transport team's time at the referring unit, from arrival at the bedside to departure, in minutes.

kpis.md v2, median measures, `team_arrival_to_departure_min`: outborn TH babies; value =
`depart_referring_datetime` − `transport_team_arrived_datetime` in exact minutes; missing when either time is
empty. Cohort, rule and levels: `kpis.definitions.transport_median`.
"""

from __future__ import annotations

from kpis.definitions.transport_median import TransportMedian

CODE = "team_arrival_to_departure_min"
TITLE = "Transport team arrival to departure (minutes)"
VERSION = 1
MEASURE = "Minutes from the transport team reaching the baby's bedside to leaving the referring unit."
MISSING = "The team's arrival time or the departure time is not recorded."

_MEDIAN = TransportMedian(start=lambda facts: facts.transport_team_arrived_datetime,
                          end=lambda facts: facts.depart_referring_datetime)
SOURCE, DIRECTION, LEVELS, COHORT = _MEDIAN.SOURCE, _MEDIAN.DIRECTION, _MEDIAN.LEVELS, _MEDIAN.COHORT
CITATION, MEASURE_TYPE = _MEDIAN.CITATION, _MEDIAN.MEASURE_TYPE
value = _MEDIAN.value
