"""Storing KPI figures: the one way every producer writes `KpiAggregate` rows.

Three producers compute figures (`kpis.producers`): HIE cases (`kpis.services`), POP records (`pop.services`)
and training coverage (`training.services`). Each owns its own KPI codes (kpis.md "Conventions": Aggregate),
and the engine's `Job.replace` calls `replace` inside the run's transaction, under the producer's write lock
(`kpis.engine`): the rows of exactly its codes (and, for a run of some periods, exactly those period keys) are
deleted in one statement and the new rows written, by one streamed COPY on PostgreSQL and by `bulk_create`
elsewhere (the embedded SQLite default). Rows of other codes belong to other producers and are never touched,
so the producers can run in any order.

Producers hand their figures as `kpis.aggregate.Figure`s, which are written as plain tuples, never model
instances: at national scale a HIE run writes over half a million figures, and building an instance and
preparing every value through its field took most of the run (bench/README.md, "Where the recompute's time
goes"). `insert` is the same fast path for any table: the HIE engine writes its CaseOutcome rows with it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Model

from core.fields import concrete_field
from kpis.aggregate import Figure
from kpis.definitions.base import ROLLUP_LEVELS
from kpis.models import KpiAggregate, KpiRun
from units.models import Unit

BULK_BATCH = 1000  # rows per INSERT where COPY is not available

Row = tuple[object, ...]

# The columns of a stored figure, by field attname, in the order of `_row`'s tuples.
_FIELDS = ("kpi", "level", "org_id", "org_code", "period_type", "period_key", "period_start", "period_end",
           "numerator", "denominator", "not_eligible", "missing", "rate", "n", "median", "q1", "q3", "run_id",
           "definition_version")
_NO_SUMMARY = (None, None, None, None)


def replace(figures: Iterable[Figure], *, run: KpiRun, codes: Collection[str],
            period_keys: Collection[str] | None = None) -> int:
    """Replace the stored figures of exactly these KPI codes (and, if given, these period keys) with
    `figures`, recorded against `run`; returns how many rows were written.

    It is atomic (a savepoint inside the caller's transaction): on any error nothing is replaced. Call it
    inside the run's transaction, so the old figures stay until the run commits. Every figure must be of one
    of `codes` and, when `period_keys` is given, of one of those periods: anything else would be written
    beside a row this call did not delete, so it raises ValueError.
    """
    codes = frozenset(codes)
    keys = None if period_keys is None else frozenset(period_keys)
    with transaction.atomic():
        old = KpiAggregate.objects.filter(kpi__in=codes)
        if keys is not None:
            old = old.filter(period_key__in=keys)
        old.delete()  # one DELETE statement: nothing refers to these rows and no signal listens
        unit_ids = dict(Unit.objects.values_list("ods_code", "id"))
        return insert(KpiAggregate, _FIELDS, _rows(figures, run.pk, unit_ids, codes, keys))


def _rows(figures: Iterable[Figure], run_id: int, unit_ids: dict[str, int], codes: frozenset[str],
          keys: frozenset[str] | None) -> Iterator[Row]:
    for figure in figures:
        if figure.kpi not in codes or (keys is not None and figure.period.key not in keys):
            raise ValueError(f"Figure {figure.kpi} {figure.period.key} is outside what this run replaces "
                             f"(codes {sorted(codes)}, periods {'all' if keys is None else sorted(keys)})")
        yield _row(figure, run_id, unit_ids)


def _row(figure: Figure, run_id: int, unit_ids: dict[str, int]) -> Row:
    """One `_FIELDS` row: the unit looked up by its ODS code at the unit levels (none above them: a trust's code
    may be a unit's too); level and period type as their plain string values (a COPY writes what it is given)."""
    summary = figure.summary
    period = figure.period
    unit_id = None if figure.level in ROLLUP_LEVELS else unit_ids.get(figure.org_code)
    return (figure.kpi, str(figure.level), unit_id, figure.org_code, str(period.type),
            period.key, period.start, period.end, figure.numerator, figure.denominator, figure.not_eligible,
            figure.missing, figure.rate,
            *((summary.n, summary.median, summary.q1, summary.q3) if summary else _NO_SUMMARY),
            run_id, figure.version)


def insert(model: type[Model], fields: Sequence[str], rows: Iterable[Row]) -> int:
    """Insert the rows (tuples in `fields` order, by attname); returns how many.

    PostgreSQL: one COPY, streamed, so no model instance is built and no value goes through Django's field
    preparation (the values must already be what the columns hold: plain strings, not enum members; an
    auto_now field is not applied). Elsewhere (the embedded SQLite): one prepared INSERT run over batches of
    plain tuples (`executemany`), with only dates and times adapted. Building model instances for
    `bulk_create` held SQLite's one write lock for seconds a drain, and a save waited that long.
    """
    if _can_copy():
        return _copy(model, fields, rows)
    return _insert_many(model, fields, rows)


def _insert_many(model: type[Model], fields: Sequence[str], rows: Iterable[Row]) -> int:
    quote, meta = connection.ops.quote_name, model._meta
    columns = [concrete_field(model, name) for name in fields]
    adapters = [_adapter(field) for field in columns]
    statement = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
                 f"VALUES ({', '.join(['%s'] * len(columns))})")
    pending, written = iter(rows), 0
    with connection.cursor() as cursor:
        while batch := [tuple(row if adapt is None else adapt(row) for adapt, row in zip(adapters, values,
                                                                                        strict=True))
                        for values in islice(pending, BULK_BATCH)]:
            cursor.executemany(statement, cast(Any, batch))  # plain values the backend adapts
            written += len(batch)
    return written


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of this column is written by the database backend (None: as it is)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


def _can_copy() -> bool:
    return connection.vendor == "postgresql"


def _copy(model: type[Model], fields: Sequence[str], rows: Iterable[Row]) -> int:
    quote, meta = connection.ops.quote_name, model._meta
    columns = ", ".join(quote(concrete_field(model, name).column) for name in fields)
    # A plain string, not psycopg.sql: Django's debug cursor logs the statement and expects text.
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    written = 0
    # Django's cursor wrapper hands `copy` straight to psycopg: wrap_database_errors turns its errors into
    # django.db errors (IntegrityError for a duplicate, as bulk_create would raise).
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written
