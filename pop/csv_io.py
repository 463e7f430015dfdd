"""Import and export of the POP dataset CSV (../shared/spec/dataset.md "POP (preterm optimisation) dataset").

The same contract as the HIE file, read and checked by `pathway.csv_io` for both datasets: decoding (UTF-8,
BOM), CSV reading, typed cells by the model field's own rules (ISO or UK local times, refusing non-existent
and ambiguous clock-change times), ODS lookup (current or former codes), duplicate detection, cell
formatting and the row-error report. What is POP-specific is declared here (`POP`): the columns, the model,
the cross-field rules (`pop.rules`) and the writes (`pop.services`).

- Header: exactly the POP columns (`pop.dataset.COLUMNS`), in any order; unknown, missing or repeated
  columns reject the file.
- Hard errors reject the whole file and nothing is written; the report names file row (header = row 1),
  column, value and rule for every bad row at once. Soft warnings are stored as data-quality flags.
- Same `case_ref` = update of every column (an empty cell clears it); exporting and importing the same
  file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.models import AuditEvent
from pathway.csv_io import (
    DatasetFile,
    ImportResult,
    ParseResult,
    RowError,
    csv_lines,
    format_cell,
    import_dataset,
    parse_dataset,
    snapshot_for_export,
)
from pop import rules, services
from pop.dataset import COLUMNS, UNIT_COLUMNS, field_for
from pop.models import PopRecord, PopRecordQuerySet
from units.access import UserLike

__all__ = ["ImportResult", "RowError", "csv_lines", "export_queryset", "export_rows", "import_file", "parse"]

POP = DatasetFile(
    name="POP dataset (v1)", noun="POP record", model=PopRecord, columns=COLUMNS, unit_columns=UNIT_COLUMNS,
    hard_violations=rules.hard_violations, soft_flags=rules.soft_flags,
    create=lambda values, by: services.pop_create(values=values, by=by, action=AuditEvent.Action.IMPORT),
    update=lambda record, values, by: services.pop_update(record=record, values=values, expected_version=None,
                                                          by=by, action=AuditEvent.Action.IMPORT),
    clash="This row clashes with a record saved while the file was being imported; import it again",
    object_type=services.OBJECT_TYPE,
)


def parse(data: bytes | str) -> ParseResult:
    """Read a whole POP file and check every row; nothing is written. Errors are in file order."""
    return parse_dataset(POP, data)


def import_file(data: bytes | str, *, by: UserLike | None = None, overwrite_newer: bool = False) -> ImportResult:
    """Check the whole file, then write every row in one transaction, or nothing at all."""
    return import_dataset(POP, data, by=by, overwrite_newer=overwrite_newer)


def export_queryset(records: PopRecordQuerySet) -> PopRecordQuerySet:
    """Current records only (entered-in-error excluded), in a stable order, and only those that exist now."""
    return snapshot_for_export(records.current(), "birth_unit")


def export_rows(records: PopRecordQuerySet) -> Iterator[list[str]]:
    """Header then one row per record in spec column order, read with .iterator() (never all in memory)."""
    yield list(COLUMNS)
    for record in records.iterator(chunk_size=500):
        yield [format_cell(getattr(record, field_for(column))) for column in COLUMNS]
