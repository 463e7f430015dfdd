"""Access-matrix checks shared by the dataset apps' tests (HIE cases, POP records): every door must agree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.db.models import Model
from django.http import Http404

R = TypeVar("R", bound=Model)


def reached(records: Mapping[str, R], *, listed: Iterable[R], look_up: Callable[[int], R],
            can: Callable[[R], bool]) -> frozenset[str]:
    """The names of the records a user reaches, after asserting that the list, the single-record lookup
    (a 404 for a record out of reach) and the permission check all name the same ones."""
    by_pk = {record.pk: name for name, record in records.items()}
    in_list = frozenset(by_pk[record.pk] for record in listed)
    looked_up = set()
    for name, record in records.items():
        try:
            assert look_up(record.pk) == record
            looked_up.add(name)
        except Http404:
            pass
    checked = {name for name, record in records.items() if can(record)}
    assert in_list == looked_up == checked
    return in_list
