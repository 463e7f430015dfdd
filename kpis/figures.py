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

**Short transactions** (`ShortWrites`, the embedded SQLite default): SQLite has one write lock for the whole
database, and a record save waits for it. So there a run writes outside any long transaction: its rows are
grouped by what a reader must see whole (one KPI-period's figures, one case's outcomes), and each group's old
rows are deleted and its new rows inserted in the same short transaction, several groups to a transaction up to
`chunk_rows` rows. Everything else (the figures, the row tuples, their adaptation to the backend) is done
before the first of them. A reader sees every KPI-period and every case either before or after the run, never
half of one; between two transactions some figures are the new ones and some still the old, for the second or
so the run takes (`replace_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Model, QuerySet

from core.fields import concrete_field
from kpis.aggregate import Figure
from kpis.definitions.base import ROLLUP_LEVELS
from kpis.models import KpiAggregate, KpiRun
from units.models import Unit

BULK_BATCH = 1000  # rows per INSERT where COPY is not available

Row = tuple[object, ...]
DELETE_BATCH = 500  # old rows deleted by one statement in `replace_rows` (SQLite's limit on parameters)


@dataclass(frozen=True)
class ShortWrites:
    """A run writes in short transactions of at most `chunk_rows` new rows (see the module docstring), and calls
    `between()` after each commit, outside any transaction (the background drain lets a waiting save go first)."""

    chunk_rows: int
    between: Callable[[], None] = lambda: None

# The columns of a stored figure, by field attname, in the order of `_row`'s tuples.
_FIELDS = ("kpi", "level", "org_id", "org_code", "period_type", "period_key", "period_start", "period_end",
           "numerator", "denominator", "not_eligible", "missing", "rate", "n", "median", "q1", "q3", "run_id",
           "definition_version")
_NO_SUMMARY = (None, None, None, None)


def replace(figures: Iterable[Figure], *, run: KpiRun, codes: Collection[str],
            period_keys: Collection[str] | None = None, short: ShortWrites | None = None) -> int:
    """Replace the stored figures of exactly these KPI codes (and, if given, these period keys) with
    `figures`, recorded against `run`; returns how many rows were written.

    It is atomic (a savepoint inside the caller's transaction): on any error nothing is replaced. Call it
    inside the run's transaction, so the old figures stay until the run commits. Every figure must be of one
    of `codes` and, when `period_keys` is given, of one of those periods: anything else would be written
    beside a row this call did not delete, so it raises ValueError.

    With `short`, it is called outside any transaction instead and writes in short ones, a KPI-period whole in
    each (`replace_rows`): a figure outside what the run replaces raises ValueError before anything is written.
    """
    codes = frozenset(codes)
    keys = None if period_keys is None else frozenset(period_keys)
    old = KpiAggregate.objects.filter(kpi__in=codes)
    if keys is not None:
        old = old.filter(period_key__in=keys)
    unit_ids = dict(Unit.objects.values_list("ods_code", "id"))
    rows: Iterable[Row] = _rows(figures, run.pk, unit_ids, codes, keys)
    if short is not None:
        rows = list(rows)  # raises before the first of the short transactions
    with transaction.atomic() if short is None else nullcontext():
        return replace_rows(KpiAggregate, _FIELDS, rows, stale=old, by=("kpi", "period_key"), short=short)


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
    statement, adapt = _insert_statement(model, fields), _row_adapter(model, fields)
    pending, written = iter(rows), 0
    with connection.cursor() as cursor:
        while batch := [adapt(values) for values in islice(pending, BULK_BATCH)]:
            cursor.executemany(statement, cast(Any, batch))  # plain values the backend adapts
            written += len(batch)
    return written


def _insert_statement(model: type[Model], fields: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(concrete_field(model, name).column) for name in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"


def _row_adapter(model: type[Model], fields: Sequence[str]) -> Callable[[Row], Row]:
    adapters = [_adapter(concrete_field(model, name)) for name in fields]

    def adapt(values: Row) -> Row:
        return tuple(value if adapt is None else adapt(value) for adapt, value in zip(adapters, values, strict=True))

    return adapt


def replace_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Row], *, stale: QuerySet[Any],
                 by: Sequence[str], short: ShortWrites | None) -> int:
    """Replace the `stale` rows with `rows` (tuples in `fields` order); returns how many rows were written.

    Without `short`: one DELETE and one `insert`, in the caller's transaction. With `short` (called outside any
    transaction, under the producer's write lock): rows are grouped by the columns `by` (a reader must see each
    group whole: a KPI-period, a case), and each transaction deletes the old rows of some groups (by primary
    key) and inserts their new rows, at most `short.chunk_rows` of each (a group bigger than that goes alone).
    The groups of `stale` with no new row are emptied the same way. Rows are adapted and the old keys read
    before the first transaction, so each holds the write lock only for its DELETE and INSERT statements.
    """
    if short is None:
        stale.delete()  # one DELETE statement: nothing refers to these rows and no signal listens
        return insert(model, fields, rows)
    positions = [fields.index(name) for name in by]
    adapt = _row_adapter(model, fields)
    groups: dict[Hashable, _Group] = {}
    for row in rows:
        groups.setdefault(tuple(row[i] for i in positions), _Group()).new.append(adapt(row))
    # The old rows by primary key, read under the producer's write lock (no other run writes them meanwhile),
    # so each transaction deletes its groups' rows by key rather than searching for them.
    for pk, *key in stale.values_list("pk", *by).iterator(chunk_size=2000):
        groups.setdefault(tuple(key), _Group()).old.append(pk)
    statement, written = _insert_statement(model, fields), 0
    for batch in _transactions(groups, short.chunk_rows):
        old = [pk for group in batch for pk in group.old]
        new = [row for group in batch for row in group.new]
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(old), DELETE_BATCH):
                model._default_manager.filter(pk__in=old[start:start + DELETE_BATCH]).delete()  # one statement
            if new:
                cursor.executemany(statement, cast(Any, new))
        written += len(new)
        short.between()
    return written


@dataclass
class _Group:
    """One group's rows for `replace_rows`: the primary keys of its old rows, and its new rows (adapted)."""

    old: list[Any] = field(default_factory=list)
    new: list[Row] = field(default_factory=list)

    @property
    def size(self) -> int:
        return max(len(self.old), len(self.new))


def _transactions(groups: dict[Hashable, _Group], chunk_rows: int) -> Iterator[list[_Group]]:
    """The groups, whole, packed in order into transactions of at most `chunk_rows` rows deleted and as many
    written (a bigger group goes alone)."""
    batch: list[_Group] = []
    size = 0
    for key in sorted(groups, key=repr):
        group = groups[key]
        if batch and size + group.size > chunk_rows:
            yield batch
            batch, size = [], 0
        batch.append(group)
        size += group.size
    if batch:
        yield batch


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
