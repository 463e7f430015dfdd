"""Small-number suppression for reports shared outside the network (the policy: `reporting.policy`).

Pure functions, no Django: the caller names every count cell with a key and lists the additive relations
between cells (`total = part + part + …`). The rules:

1. **Primary**: a count from 1 to `threshold − 1` (1–4 with the default 5) is suppressed. Zero is not:
   "no babies" discloses nobody.
2. **Secondary**: a relation in which exactly one member is suppressed would let a reader subtract it
   back out of the total, so one more member is suppressed: the smallest unsuppressed part (the total
   stays visible when it can), or the total when no part is left. Repeated until no relation has exactly
   one suppressed member, because a secondary suppression can open another relation.

Zeros may be chosen as the secondary cell: "3 met, 0 not met, 3 eligible" reveals the suppressed 3 from
the zero as well as from the total, so a zero is no safer to show than any other complement.

Figures derived from counts (rates, intervals, medians) are hidden by the caller whenever a count they
are computed from is suppressed: `hides_derived`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


def suppressed_text(threshold: int) -> str:
    """How a suppressed count reads: "<5" with the default threshold."""
    return f"<{threshold}"


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
             threshold: int | Callable[[K], int]) -> set[K]:
    """Every key to show as suppressed (primary and secondary). Keys of a relation missing from `values`
    are treated as not shown (nothing to protect, nothing to reveal) and ignored. `threshold` may depend on
    the cell (the policy has one per level: `reporting.policy`); 0 there means the cell is never small."""
    if callable(threshold):
        hidden = {key for key, value in values.items() if is_small(value, threshold(key))}
    elif threshold < 1:
        raise ValueError("The small-number threshold must be at least 1")
    else:
        hidden = primary(values, threshold)
    shown = [Relation(r.total, tuple(p for p in r.parts if p in values)) for r in relations if r.total in values]
    changed = True
    while changed:
        changed = False
        for relation in shown:
            extra = _complement(relation, values, hidden)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _complement(relation: Relation[K], values: Mapping[K, int | None], hidden: set[K]) -> K | None:
    """The cell to suppress so the relation's one suppressed cell cannot be worked out, or None."""
    if sum(member in hidden for member in relation.members) != 1:
        return None
    parts = [p for p in relation.parts if p not in hidden and values.get(p) is not None]
    if parts:
        # Smallest first: it hides the least; the relation's own order breaks ties, so the result is stable.
        return min(parts, key=lambda p: (values[p] or 0, relation.parts.index(p)))
    if relation.total not in hidden and values.get(relation.total) is not None:
        return relation.total
    return None


def hides_derived(hidden: set[K], sources: Sequence[K]) -> bool:
    """Whether a figure computed from these counts (a rate, an interval) must be hidden too."""
    return any(key in hidden for key in sources)


def display(value: int | None, key: K, hidden: set[K], threshold: int) -> str:
    if key in hidden:
        return suppressed_text(threshold)
    return "" if value is None else str(value)
