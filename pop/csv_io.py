"""Import and export of the POP dataset CSV (../shared/spec/dataset.md "POP (preterm optimisation) dataset").

The same contract as the HIE file (`pathway.csv_io`), whose format-level parts are reused here: decoding
(UTF-8, BOM), CSV reading, typed cells by the model field's own rules (ISO or UK local times, refusing
non-existent and ambiguous clock-change times), ODS lookup (current or former codes), duplicate detection,
cell formatting and the row-error report. What is POP-specific lives here: the columns, the model, the
cross-field rules (`pop.rules`) and the writes (`pop.services`).

- Header: exactly the POP columns (`pop.dataset.COLUMNS`), in any order; unknown, missing or repeated
  columns reject the file.
- Hard errors reject the whole file and nothing is written; the report names file row (header = row 1),
  column, value and rule for every bad row at once. Soft warnings are stored as data-quality flags.
- Same `case_ref` = update of every column (an empty cell clears it); exporting and importing the same
  file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from pathway.csv_io import (
    HEADER_ROW,
    ImportResult,
    ParsedRow,
    ParseResult,
    RowError,
    UnitCache,
    complete_rows,
    csv_lines,
    duplicates_in_file,
    empty_value,
    field_value,
    format_cell,
    read_file,
    save_all_or_nothing,
    snapshot_for_export,
)
from pop import rules, services
from pop.dataset import COLUMN_OF_FIELD, COLUMNS, UNIT_COLUMNS, field_for
from pop.models import PopRecord, PopRecordQuerySet
from units.access import UserLike

__all__ = ["ImportResult", "RowError", "csv_lines", "export_queryset", "export_rows", "import_file", "parse"]
DATASET = "POP dataset (v1)"


def _check_header(header: list[str]) -> list[RowError]:
    errors: list[RowError] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(HEADER_ROW, name, name, f"Column '{name}' appears more than once"))
        elif name not in COLUMNS:
            errors.append(RowError(HEADER_ROW, name, name,
                                   f"Unknown column '{name}': it is not a column of the {DATASET}"))
        seen.add(name)
    errors.extend(RowError(HEADER_ROW, name, "", f"Missing column '{name}': the header must name every column of "
                                                 f"the {DATASET}") for name in COLUMNS if name not in seen)
    return errors


def _cell_value(column: str, text: str, units: UnitCache) -> Any:
    if column in UNIT_COLUMNS:
        unit = units.get(text)
        if unit is None:
            raise ValidationError(f"Unknown ODS site code '{text}': not a unit of the network")
        return unit
    return field_value(PopRecord._meta.get_field(column), text)


def _convert_row(row: int, cells: Mapping[str, str], units: UnitCache) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in COLUMNS:
        text = cells[column]
        model_field = PopRecord._meta.get_field(field_for(column))
        if not text:
            values[model_field.name] = empty_value(model_field)
            continue
        try:
            values[model_field.name] = _cell_value(column, text, units)
        except ValidationError as exc:
            values[model_field.name] = None
            errors.extend(RowError(row, column, text, message) for message in exc.messages)
    return values, errors


def _rule_errors(row: int, cells: Mapping[str, str], values: Mapping[str, Any], bad: set[str]) -> list[RowError]:
    errors: list[RowError] = []
    for violation in rules.hard_violations(values):
        column = COLUMN_OF_FIELD.get(violation.field, violation.field)
        if violation.rule == "required" and column in bad:
            continue  # the cell was given but failed its own check (already reported)
        errors.append(RowError(row, column, cells.get(column, ""), violation.message))
    return errors


def _parse_row(row: int, raw: list[str], header: list[str], units: UnitCache
               ) -> tuple[ParsedRow | None, list[RowError]]:
    if len(raw) != len(header):
        return None, [RowError(row, "", "", f"This row has {len(raw)} cells; the header has {len(header)}")]
    cells = {name: text.strip() for name, text in zip(header, raw, strict=True)}
    values, errors = _convert_row(row, cells, units)
    errors += _rule_errors(row, cells, values, {e.column for e in errors})
    if errors:
        return None, errors
    return ParsedRow(row, values, rules.soft_flags(values)), []


def _clashes_with_database(rows: list[tuple[int, Mapping[str, str]]]) -> list[RowError]:
    """An NHS number held by another record (unique per baby), and a record marked entered in error."""
    owner = dict(PopRecord.objects.exclude(nhs_number="").values_list("nhs_number", "case_ref"))
    hidden = set(PopRecord.objects.filter(entered_in_error=True).values_list("case_ref", flat=True))
    errors: list[RowError] = []
    for row, cells in rows:
        ref, number = cells["case_ref"].strip(), cells["nhs_number"].strip()
        if number in owner and owner[number] != ref:
            errors.append(RowError(row, "nhs_number", number,
                                   f"NHS number already belongs to POP record {owner[number]} (unique per baby)"))
        if ref in hidden:
            errors.append(RowError(row, "case_ref", ref, f"POP record {ref} was marked entered in error; it cannot "
                                                         "be changed by an import"))
    return errors


def parse(data: bytes | str) -> ParseResult:
    """Read a whole POP file and check every row; nothing is written. Errors are in file order."""
    file = read_file(data, _check_header)
    result = ParseResult(errors=file.errors)
    if result.errors:
        return result
    units = UnitCache()
    for row, raw in file.rows:
        parsed, errors = _parse_row(row, raw, file.header, units)
        result.errors += errors
        if parsed is not None:
            result.rows.append(parsed)
    complete = complete_rows(file)
    result.errors += (duplicates_in_file(complete, "case_ref", "Duplicate case_ref in the file")
                      + duplicates_in_file(complete, "nhs_number",
                                           "NHS number appears twice in the file (unique per baby)")
                      + _clashes_with_database(complete))
    result.errors.sort(key=lambda e: e.row)
    return result


def _save(parsed: ParsedRow, by: UserLike) -> tuple[str, PopRecord]:
    existing = PopRecord.objects.filter(case_ref=parsed.values["case_ref"]).first()
    if existing is None:
        return "created", services.pop_create(values=parsed.values, by=by, action=AuditEvent.Action.IMPORT)
    saved = services.pop_update(record=existing, values=parsed.values, expected_version=None, by=by,
                                action=AuditEvent.Action.IMPORT)
    return ("unchanged" if saved.version == existing.version else "updated"), saved


def import_file(data: bytes | str, *, by: UserLike | None = None) -> ImportResult:
    """Check the whole file, then write every row in one transaction, or nothing at all."""
    parsed = parse(data)
    if parsed.errors:
        return ImportResult(errors=parsed.errors)
    return save_all_or_nothing(parsed.rows, by if by is not None else AnonymousUser(), _save,
                               column_of_field=COLUMN_OF_FIELD,
                               clash="This row clashes with a record saved while the file was being imported; "
                                     "import it again")


def export_queryset(records: PopRecordQuerySet) -> PopRecordQuerySet:
    """Current records only (entered-in-error excluded), in a stable order, and only those that exist now."""
    return snapshot_for_export(records.current(), "birth_unit")


def export_rows(records: PopRecordQuerySet) -> Iterator[list[str]]:
    """Header then one row per record in spec column order, read with .iterator() (never all in memory)."""
    yield list(COLUMNS)
    for record in records.iterator(chunk_size=500):
        yield [format_cell(getattr(record, field_for(column))) for column in COLUMNS]
