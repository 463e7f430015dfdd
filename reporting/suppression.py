"""Small-number suppression for reports shared outside the network (the policy: `reporting.policy`).

Pure functions, no Django: the caller names every count cell with a key and lists the additive relations
between cells (`total = part + part + …`) that hold among the counts. The rules:

1. **Primary**: a count from 1 to `threshold − 1` (1–4 with the default 5) is suppressed. Zero is not:
   "no babies" discloses nobody.
2. **Secondary**: no suppressed count may be worked out from the counts that are shown, through any chain
   of the relations (subtracting in one, then using the result in another). Each suppressed cell that can
   be is protected by suppressing one more cell, and the check is repeated until none can be:
   - where a relation gives the cell back directly (it is the relation's only unknown), the complement is
     that relation's smallest unsuppressed part, or its total when no part is left;
   - otherwise (a chain), a shown cell of a relation holding it, and failing that of any linked relation.
   A cell the caller asks to `keep` (the report's own headline) is taken only when nothing else will do.

Where the parts do not add up to the total (a trust's units with one that moved in mid-period, cooling
centres that also cool other trusts' babies), the caller adds the difference as a part it lists in
`unknown`: a count the report does not print. The reader cannot subtract through such a relation, so a
hidden part there needs no complement, and nothing is hidden for a sum that does not hold; the unknown
still counts in every other relation it is in (the remainders' own met + not met = eligible), so a chain
through it is caught.

"Worked out" is exact: a cell is recoverable when the relations determine it whatever the other unknown
cells are (linear algebra over the rationals, `recoverable`). Bounds are not considered (a hidden cell known
to lie between 0 and 2 is protected), as in the NHS guidance the policy follows.

Zeros may be chosen as the secondary cell: "3 met, 0 not met, 3 eligible" reveals the suppressed 3 from
the zero as well as from the total, so a zero is no safer to show than any other complement.

Figures derived from counts (rates, intervals, medians) are hidden by the caller whenever a count they
are computed from is suppressed: `hides_derived`. Every hidden cell, primary, secondary or derived, prints
as the one neutral `MARK`, "[c]": it says nothing about the size of what it hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


# Every hidden cell reads the same, whatever it hides and why: the Government Analysis Function's shorthand
# for confidential (Using symbols and shorthand in tables, 2022; in square brackets, explained beside the
# table). Not "<5": a cell hidden only to protect another (secondary suppression) may hold any count, and
# "<5" over 19 babies who had their MRI would tell a board something false.
MARK = "[c]"


def suppressed_text() -> str:
    """How a suppressed cell reads, primary or secondary alike: `MARK`."""
    return MARK


@dataclass(frozen=True)
class Relation(Generic[K]):
    """total = sum(parts)."""

    total: K
    parts: tuple[K, ...]

    @property
    def members(self) -> tuple[K, ...]:
        return (self.total, *self.parts)


def is_small(value: int | None, threshold: int) -> bool:
    return value is not None and 1 <= value < threshold


def primary(values: Mapping[K, int | None], threshold: int) -> set[K]:
    return {key for key, value in values.items() if is_small(value, threshold)}


def suppress(values: Mapping[K, int | None], relations: Iterable[Relation[K]],
             threshold: int | Callable[[K], int], *, unknown: Collection[K] = (),
             keep: Callable[[K], bool] | None = None) -> set[K]:
    """Every key to show as suppressed (primary and secondary). Keys of a relation missing from `values`
    and from `unknown` are treated as not shown and known (no babies: a row with no figure), and ignored;
    so is a count of None. `unknown` are counts the report does not print (see the module docstring).
    `threshold` may depend on the cell (the policy has one per level: `reporting.policy`); 0 there means
    the cell is never small. `keep(key)`: a cell to hide only when nothing else protects."""
    if callable(threshold):
        hidden = {key for key, value in values.items() if is_small(value, threshold(key))}
    elif threshold < 1:
        raise ValueError("The small-number threshold must be at least 1")
    else:
        hidden = primary(values, threshold)
    unknowns = set(unknown)

    def counted(key: K) -> bool:
        return key in unknowns or values.get(key) is not None

    shown = [Relation(r.total, tuple(p for p in r.parts if counted(p))) for r in relations if counted(r.total)]
    for linked in _components(shown):
        _protect(linked, values, hidden, unknowns, keep or (lambda _key: False))
    return hidden


def _components(relations: Sequence[Relation[K]]) -> list[list[Relation[K]]]:
    """The relations in groups that share no cell (each KPI's, in a report), in their first order."""
    parent: dict[K, K] = {}

    def root(key: K) -> K:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in relations:
        first = root(relation.total)
        for part in relation.parts:
            parent[root(part)] = first
    groups: dict[K, list[Relation[K]]] = {}
    for relation in relations:
        groups.setdefault(root(relation.total), []).append(relation)
    return list(groups.values())


def _protect(relations: list[Relation[K]], values: Mapping[K, int | None], hidden: set[K], unknown: set[K],
             keep: Callable[[K], bool]) -> None:
    """Hide one more cell at a time until no hidden cell of these relations can be worked out. A relation
    that gives a hidden cell back alone is found by looking (most are); the elimination, which finds the
    chains, runs only when none is left."""
    while True:
        extra = _direct_complement(relations, values, hidden, unknown, keep)
        if extra is None:
            # Every relation giving a hidden cell back alone has just been tried (and had no cell left to
            # hide), so what remains exposed is exposed through a chain of relations.
            exposed = [key for key in recoverable(relations, hidden | unknown) if key in hidden]
            extra = next((found for key in exposed
                          if (found := _complement(key, relations, values, hidden, unknown, keep)) is not None), None)
        if extra is None:
            return
        hidden.add(extra)


def _direct_complement(relations: list[Relation[K]], values: Mapping[K, int | None], hidden: set[K],
                       unknown: set[K], keep: Callable[[K], bool]) -> K | None:
    """The complement for the first relation whose only unknown member is a hidden cell, or None."""
    for relation in relations:
        unknowns = [m for m in relation.members if m in hidden or m in unknown]
        if len(unknowns) == 1 and unknowns[0] in hidden:
            found = _choose(relation, values, hidden, unknown, keep, allow_keep=False) or _choose(
                relation, values, hidden, unknown, keep, allow_keep=True)
            if found is not None:
                return found
    return None


def _complement(key: K, relations: list[Relation[K]], values: Mapping[K, int | None], hidden: set[K],
                unknown: set[K], keep: Callable[[K], bool]) -> K | None:
    """The cell to suppress so that `key` can no longer be worked out, or None when none is left."""
    holding = [r for r in relations if key in r.members]
    for relation in holding:
        if all(m == key or m not in hidden | unknown for m in relation.members):
            # Given back by this relation alone: only a cell of this relation protects it.
            return _choose(relation, values, hidden, unknown, keep, allow_keep=False) or _choose(
                relation, values, hidden, unknown, keep, allow_keep=True)
    for allow_keep in (False, True):
        for relation in (*holding, *relations):
            found = _choose(relation, values, hidden, unknown, keep, allow_keep=allow_keep)
            if found is not None:
                return found
    return None


def _choose(relation: Relation[K], values: Mapping[K, int | None], hidden: set[K], unknown: set[K],
            keep: Callable[[K], bool], *, allow_keep: bool) -> K | None:
    """The smallest shown part (it hides the least; the relation's own order breaks ties, so the result is
    stable), or the total when no part is left."""
    def free(member: K) -> bool:
        return (member not in hidden and member not in unknown and values.get(member) is not None
                and (allow_keep or not keep(member)))

    parts = [p for p in relation.parts if free(p)]
    if parts:
        return min(parts, key=lambda p: (values[p] or 0, relation.parts.index(p)))
    return relation.total if free(relation.total) else None


def recoverable(relations: Sequence[Relation[K]], unknown: Collection[K]) -> list[K]:
    """The unknown cells that the relations determine from the known ones, in their first order: those a
    reader could work out. Gauss–Jordan elimination over the rationals on the unknowns' coefficients (each
    relation: +1 for the total, −1 for each part); an unknown is determined when its pivot row has no other
    unknown left in it."""
    keys, rows = _coefficients(relations, unknown)
    pivots: dict[int, dict[int, Fraction]] = {}  # column → its row, reduced
    for row in rows:
        for column, pivot_row in pivots.items():
            if column in row:
                row = _minus(row, pivot_row, row[column])
        if not row:
            continue
        column = min(row)
        row = {c: v / row[column] for c, v in row.items()}
        for other, pivot_row in list(pivots.items()):
            if column in pivot_row:
                pivots[other] = _minus(pivot_row, row, pivot_row[column])
        pivots[column] = row
    return [keys[column] for column in sorted(pivots) if len(pivots[column]) == 1]


def _coefficients(relations: Sequence[Relation[K]], unknown: Collection[K]
                  ) -> tuple[list[K], list[dict[int, Fraction]]]:
    """The unknowns in their first order, and each relation's non-zero coefficients on them."""
    order: dict[K, int] = {}
    for relation in relations:
        for member in relation.members:
            if member in unknown:
                order.setdefault(member, len(order))
    rows: list[dict[int, Fraction]] = []
    for relation in relations:
        row: dict[int, Fraction] = defaultdict(Fraction)
        for member, sign in ((relation.total, 1), *((p, -1) for p in relation.parts)):
            if member in unknown:
                row[order[member]] += sign
        if cleaned := {c: v for c, v in row.items() if v}:
            rows.append(cleaned)
    return list(order), rows


def _minus(row: dict[int, Fraction], pivot: dict[int, Fraction], times: Fraction) -> dict[int, Fraction]:
    """row − times × pivot, without the zeros."""
    result = dict(row)
    for column, value in pivot.items():
        result[column] = result.get(column, Fraction(0)) - times * value
    return {c: v for c, v in result.items() if v}


def hides_derived(hidden: set[K], sources: Sequence[K]) -> bool:
    """Whether a figure computed from these counts (a rate, an interval) must be hidden too."""
    return any(key in hidden for key in sources)


def display(value: int | None, key: K, hidden: set[K]) -> str:
    if key in hidden:
        return suppressed_text()
    return "" if value is None else str(value)
