"""Tokens that change whenever what a dashboard shows may have changed (keys for `core.memo.remember`)."""

from __future__ import annotations

from django.db import connection

from kpis.models import KpiAggregate, KpiRun, NetworkAim


def _scalars(sql: str) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row) if row else ()


def figures_version() -> str:
    """Changes whenever the stored figures may have changed (one query).

    Every producer (HIE, POP, training) writes inside a KpiRun and replaces its rows by deleting and
    bulk-creating them, so a new row id or a newly finished run marks every change; each maximum comes from
    an index or a small table (no count of the figures table).
    """
    figures, runs = KpiAggregate._meta.db_table, KpiRun._meta.db_table
    last_row, last_run, finished = _scalars(
        f"SELECT (SELECT MAX(id) FROM {figures}), (SELECT MAX(id) FROM {runs}), "
        f"(SELECT MAX(finished_at) FROM {runs})")
    return _token(last_row, last_run, finished)


def page_version() -> str:
    """`figures_version` and the network aims together (one query): what the dashboard pages draw on."""
    figures, runs, aims = KpiAggregate._meta.db_table, KpiRun._meta.db_table, NetworkAim._meta.db_table
    values = _scalars(
        f"SELECT (SELECT MAX(id) FROM {figures}), (SELECT MAX(id) FROM {runs}), "
        f"(SELECT MAX(finished_at) FROM {runs}), (SELECT COUNT(*) FROM {aims}), (SELECT MAX(id) FROM {aims}), "
        f"(SELECT MAX(set_at) FROM {aims})")
    return _token(*values)


def _token(*values: object) -> str:
    """The values joined, with no space (a cache key must have none: a finish time is written with one)."""
    return ".".join(str(value or 0) for value in values).replace(" ", "T")
