"""Writing `CaseAttribution`: where and when each evaluated case counts (see the model).

Called by the HIE run inside its write transaction (on the embedded SQLite: in short transactions), right
after the case's `CaseOutcome` rows, with the same scope, so the two tables always describe the same cases:
every case of a full run, or the cases born in the periods of a partial run (entered-in-error cases in scope
get no row, as they get no outcomes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from kpis import figures as stored
from kpis.aggregate import CaseResult
from kpis.definitions.base import Level
from kpis.models import CaseAttribution
from pathway.models import Case

_FIELDS = ("case_id", "born", "birth_unit_code", "cooling_centre_code", "trust_code", "lmns_code", "icb_code",
           "network_code", "region_code")
_ROLLUPS = (Level.TRUST, Level.LMNS, Level.ICB, Level.NETWORK, Level.REGION)  # the order of the last five


def replace(results: Iterable[CaseResult], *, in_scope: QuerySet[Case] | None,
            short: stored.ShortWrites | None = None) -> int:
    """Replace the rows of the cases in scope (every row when `in_scope` is None) with these results'
    (with `short`, in short transactions: `kpis.figures.replace_rows`)."""
    stale = CaseAttribution.objects.all()
    if in_scope is not None:
        stale = stale.filter(case__in=in_scope.values("pk"))
    return stored.replace_rows(CaseAttribution, _FIELDS, _rows(results), stale=stale, by=("case_id",), short=short)


def _rows(results: Iterable[CaseResult]) -> Iterator[stored.Row]:
    for result in results:
        yield (result.case_id, result.born, result.orgs[Level.BIRTH_UNIT],
               result.orgs.get(Level.COOLING_CENTRE, ""), *(result.orgs.get(level, "") for level in _ROLLUPS))
