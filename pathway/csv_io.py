"""Import and export of the HIE dataset CSV (../shared/spec/dataset.md, "Regional HIE dataset —
interchange format (v1)" and its "v2 additions").

The contract, as this module implements it:

- File: CSV, UTF-8 (a leading BOM is accepted), comma separated, a header row naming exactly the columns
  of `pathway.dataset.COLUMNS` in any order (the v2 columns, `V2_COLUMNS`, may be left out: a v1 file imports
  unchanged and leaves them as they are); unknown, missing or repeated columns reject the file, reported
  once (one message naming every such column), and the rows are still checked on the columns that are
  there, so one upload shows everything to correct.
- Coded values are accepted in any case (`Yes`, `MALE`) and stored lower case (dataset.md v2).
- `mri_sequences` is a `;`-separated set, written in the dataset's order (t1;t2;dwi;mrs;swi).
- Cells: empty = not recorded. Date-times are ISO 8601; without an offset they are Europe/London local
  time, and a local time that does not exist or happens twice is an error (`core.timeutil`). Numbers and
  coded values are checked by the `Case` field's own `to_python`, validators and choices, so each range
  is written down once (pathway/models.py). Unit columns hold ODS codes, current or former.
- Hard errors (dataset.md "Hard errors") reject the whole file and nothing is written; the report names
  file row (the header is row 1), column, value and rule for every bad row at once. Soft warnings are not
  errors: the services store them as data-quality flags, and the import reports how many rows have them.
- Same `case_ref` = update of every column (an empty cell clears the field); importing a file that was
  just exported changes nothing, because the export writes exactly what the import reads back.
- Formulas: a text cell starting with =, +, -, @, a tab or a carriage return (OWASP "CSV injection") is
  written with a leading quote and read back without it (`core.spreadsheet`); plain numbers (-0.5) stay
  numbers.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import DecimalValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from core import audit
from core.exceptions import EnteredInError
from core.fields import concrete_field
from core.models import AuditEvent
from core.spreadsheet import restore_cells, safe_cells
from core.timeutil import LONDON, LocalTimeError, format_local, parse_local_datetime
from pathway import choices as c
from pathway import rules, services
from pathway.dataset import COLUMNS, UNIT_COLUMNS, V2_COLUMNS, field_for
from pathway.models import BabyRecord, Case, CaseQuerySet
from pathway.signals import case_exported
from units.access import UserLike, user_roles
from units.models import Role, Unit

EXPORT_OBJECT_TYPE = "pathway.case_export"
HEADER_ROW = 1
# An ISO date alone would parse as midnight: for a date-time column that is a missing time, not 00:00.
_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
_NUMERIC_FIELDS = (models.IntegerField, models.DecimalField)
PSEUDONYM_PREFIX = "P-"
_PSEUDONYM_HEX_CHARS = 16
_PSEUDONYM = re.compile(rf"^{PSEUDONYM_PREFIX}[0-9A-F]{{{_PSEUDONYM_HEX_CHARS}}}$")


@dataclass(frozen=True)
class RowError:
    """One hard error: where it is in the file and which rule it broke."""

    row: int  # file row number; the header is row 1
    column: str  # dataset column name, "" when the whole row is at fault
    value: str  # the raw cell text
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]  # model field name -> typed value, ready for the services
    flags: list[str]  # soft warnings (rules.soft_flags); stored by the services, not errors


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0  # rows whose case carries data-quality flags after the import
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


Rows = list[tuple[int, dict[str, str]]]  # (file row number, column → cell text)
# Told (steps done, steps in all) as a long import goes: each row is checked, then saved (2 steps a row).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000  # rows between two reports


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class DatasetFile:
    """What one dataset's file is (HIE here, POP in `pop.csv_io`): the parts of its import that differ.

    Everything else (reading, typed cells, the whole-file rules, the all-or-nothing save) is this module's,
    shared by every dataset."""

    name: str  # the dataset as the messages name it: "HIE dataset (v1)"
    noun: str  # one of its records as the messages name it: "case"
    model: type[BabyRecord]
    columns: tuple[str, ...]  # in the spec's order
    unit_columns: Mapping[str, str]  # column of ODS codes → foreign key field
    hard_violations: Callable[[Mapping[str, Any]], Iterable[rules.Violation]]
    soft_flags: Callable[[Mapping[str, Any]], list[str]]
    # The writes, through the dataset's services: create(values, by) and update(existing, values, by).
    create: Callable[[Mapping[str, Any], UserLike], Any]
    update: Callable[[Any, Mapping[str, Any], UserLike], Any]
    clash: str  # a row that collides with a record saved after the file was checked
    file_rules: tuple[Callable[[Rows], list[RowError]], ...] = ()  # before the rules every dataset has
    # Columns a file may leave out (then the import leaves those fields as they are); v2 of the HIE file.
    optional_columns: frozenset[str] = frozenset()
    object_type: str = ""  # the records' AuditEvent.object_type: their history, for `newer_changes`

    def field_for(self, column: str) -> str:
        """Model field name for a dataset column."""
        return self.unit_columns.get(column, column)

    @cached_property
    def column_of_field(self) -> dict[str, str]:
        return {self.field_for(column): column for column in self.columns}


# --- Reading the file ---------------------------------------------------------------------------------


class FileRejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise FileRejected(RowError(
            row, "", f"byte 0x{data[exc.start]:02X}",
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' (in Excel: Save As > CSV UTF-8) and "
            "upload it again")) from None


def _named(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _check_header(dataset: DatasetFile, header: list[str]) -> list[RowError]:
    """dataset.md "File": exactly the dataset's column names, order free. Every problem in one message
    (a nurse corrects the header once), on the header row; `column` names the first column at fault."""
    seen: set[str] = set()
    repeated: list[str] = []
    unknown: list[str] = []
    for name in header:
        if name in seen and name not in repeated:
            repeated.append(name)
        elif name not in seen and name not in dataset.columns:
            unknown.append(name)
        seen.add(name)
    missing = [name for name in dataset.columns if name not in seen and name not in dataset.optional_columns]
    parts = []
    if unknown:
        parts.append(f"Unknown column{'s' if len(unknown) > 1 else ''} {_named(unknown)}: not "
                     f"{'columns' if len(unknown) > 1 else 'a column'} of the {dataset.name}")
    if missing:
        parts.append(f"Missing column{'s' if len(missing) > 1 else ''} {_named(missing)}: the header must name "
                     f"every column of the {dataset.name}")
    if repeated:
        parts.append(f"Column{'s' if len(repeated) > 1 else ''} {_named(repeated)} "
                     f"appear{'' if len(repeated) > 1 else 's'} more than once")
    if not parts:
        return []
    first = (unknown or missing or repeated)[0]
    message = "; ".join(parts) + ". The rows were still checked on the columns that are there"
    return [RowError(HEADER_ROW, first, first if first not in missing else "", message)]


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(file row number, cells) for each record; csv.Error (e.g. an unclosed quote) rejects the file."""
    # newline="" hands line endings to the csv module, so a line break inside a quoted cell stays in it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    header: list[str] = []
    try:
        for cells in reader:
            row += 1
            header = header or cells
            _refuse_nul(row, cells, header)
            # A cell the app wrote as '=… (core.spreadsheet) reads back as the value it holds.
            yield row, restore_cells(cells)
    except csv.Error as exc:
        raise FileRejected(RowError(row + 1, "", "", f"The file is not valid CSV here ({exc})")) from None


def _refuse_nul(row: int, cells: list[str], header: list[str]) -> None:
    """A NUL byte (code 0) is never data, and PostgreSQL refuses it in any text: the file is refused naming
    the row and column, before any row is saved (rather than a 500 from the database)."""
    for index, cell in enumerate(cells):
        if "\x00" in cell:
            column = header[index] if row > 1 and index < len(header) else ""
            raise FileRejected(RowError(row, column, cell.replace("\x00", ""),
                                        "A NUL byte (character code 0) is not allowed in a cell: remove it and "
                                        "import the file again"))


# --- One cell ---------------------------------------------------------------------------------------


class UnitCache:
    """ODS code -> unit, one query per distinct code in the file (current or former code, units.models)."""

    def __init__(self) -> None:
        self._units: dict[str, Unit | None] = {}

    def get(self, code: str) -> Unit | None:
        key = code.strip().upper()
        if key not in self._units:
            self._units[key] = Unit.objects.by_code(key)
        return self._units[key]


def empty_value(model_field: models.Field[Any, Any]) -> Any:
    """What an empty cell means: not recorded (None, or "" for text), or the dataset's default
    (`multiple_birth` "optional, default no"), so an export of the stored value reads back the same."""
    if isinstance(model_field, ArrayField):
        return []
    if model_field.has_default() and not model_field.blank:
        return model_field.get_default()
    return None if model_field.null else ""


def _choice_message(model_field: models.Field[Any, Any]) -> str:
    allowed = ", ".join(str(value) for value, _ in model_field.flatchoices)
    return f"Not one of the allowed values: {allowed}"


def _check_decimal_places(model_field: models.DecimalField[Any, Any], text: str) -> None:
    """DecimalField.to_python rounds to the field's places (6.955 -> 6.96): more places than the dataset
    holds is an error to correct in the source, never a silently changed clinical value."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return  # not a number: to_python says so
    if value.is_finite():
        # Places first: "no more than 2 decimal places" says what is wrong with a pH of 6.955.
        DecimalValidator(None, model_field.decimal_places)(value)
        DecimalValidator(model_field.max_digits, model_field.decimal_places)(value)


def _sequences_value(model_field: ArrayField[Any, Any], text: str) -> list[str]:
    """A `;`-separated set of MRI sequences (dataset.md v2), any case, stored in the dataset's order."""
    codes = [part.strip().lower() for part in text.split(";") if part.strip()]
    unknown = [code for code in codes if code not in c.MriSequence.values]
    if unknown:
        allowed = ", ".join(c.MriSequence.values)
        raise ValidationError(f"Unknown sequence '{unknown[0]}': use a ';'-separated set of {allowed}")
    return c.ordered_sequences(codes)


def field_value(model_field: models.Field[Any, Any], text: str) -> Any:
    """The typed value of a non-empty cell, by the model field's own rules; ValidationError if invalid.
    Coded values are read in any case, v1 and v2 alike."""
    if isinstance(model_field, ArrayField):
        return _sequences_value(model_field, text)
    if isinstance(model_field, models.DateTimeField):
        if _DATE_ONLY.match(text):
            raise ValidationError("A date and time is needed, e.g. 2024-03-31T00:45 (this has no time)")
        try:
            return parse_local_datetime(text)
        except LocalTimeError as exc:
            raise ValidationError(str(exc)) from None
    # Python's int() and Decimal() read other scripts' digits too; the dataset is ASCII.
    if isinstance(model_field, _NUMERIC_FIELDS) and not text.isascii():
        raise ValidationError("Use the digits 0–9 only")
    if isinstance(model_field, models.DecimalField):
        _check_decimal_places(model_field, text)
    if model_field.choices and isinstance(model_field, models.CharField):
        text = text.lower()  # codes are lower-case words; "Yes" and "MALE" mean the same (dataset.md v2)
    try:
        return model_field.clean(text, None)
    except ValidationError as exc:
        if any(e.code == "invalid_choice" for e in exc.error_list):
            raise ValidationError(_choice_message(model_field)) from None
        raise


def _cell_value(dataset: DatasetFile, column: str, text: str, units: UnitCache) -> Any:
    if column in dataset.unit_columns:
        unit = units.get(text)
        if unit is None:
            raise ValidationError(f"Unknown ODS site code '{text}': not a unit of the network")
        return unit
    return field_value(concrete_field(dataset.model, column), text)


# --- One row ----------------------------------------------------------------------------------------


def _convert_row(dataset: DatasetFile, row: int, cells: Mapping[str, str], units: UnitCache
                 ) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in dataset.columns:
        if column not in cells:
            continue  # an optional column left out (stays as it is), or missing: reported once in the header
        text = cells[column]
        model_field = concrete_field(dataset.model, dataset.field_for(column))
        if not text:
            values[model_field.name] = empty_value(model_field)
            continue
        try:
            values[model_field.name] = _cell_value(dataset, column, text, units)
        except ValidationError as exc:
            values[model_field.name] = None
            errors.extend(RowError(row, column, text, message) for message in exc.messages)
    return values, errors


def _rule_errors(dataset: DatasetFile, row: int, cells: Mapping[str, str], values: Mapping[str, Any],
                 bad: set[str]) -> list[RowError]:
    """The dataset's hard_violations over the row (dataset.md ordering and conditional rules), skipping a
    "required" for a cell that was given but failed its own check (already reported)."""
    errors: list[RowError] = []
    for violation in dataset.hard_violations(values):
        column = dataset.column_of_field.get(violation.field, violation.field)
        if (violation.rule == "required" and column in bad) or column not in cells:
            continue
        errors.append(RowError(row, column, cells.get(column, ""), violation.message))
    return errors


def _parse_row(dataset: DatasetFile, row: int, raw: list[str], header: list[str], units: UnitCache
               ) -> tuple[ParsedRow | None, list[RowError]]:
    if len(raw) != len(header):
        return None, [RowError(row, "", "", f"This row has {len(raw)} cells; the header has {len(header)}")]
    # Spreadsheets pad cells with spaces; a cell of spaces is empty ("not recorded"). A repeated column's
    # first cell counts (the header error names the repeat).
    cells: dict[str, str] = {}
    for name, text in zip(header, raw, strict=True):
        cells.setdefault(name, text.strip())
    values, errors = _convert_row(dataset, row, cells, units)
    errors += _rule_errors(dataset, row, cells, values, {e.column for e in errors})
    if errors:
        return None, errors
    return ParsedRow(row, values, dataset.soft_flags(values)), []


# --- The whole file ---------------------------------------------------------------------------------


def duplicates_in_file(rows: Iterable[tuple[int, Mapping[str, str]]], column: str, rule: str
                        ) -> list[RowError]:
    first_row: dict[str, int] = {}
    errors: list[RowError] = []
    for row, cells in rows:
        value = cells.get(column, "").strip()
        if not value:
            continue
        if value in first_row:
            errors.append(RowError(row, column, value, f"{rule} (also on row {first_row[value]})"))
        else:
            first_row[value] = row
    return errors


def _clashes_with_database(dataset: DatasetFile, rows: Rows) -> list[RowError]:
    """An NHS number already held by a different case_ref (unique per baby), and a case_ref whose record
    was marked entered in error (hidden from every list, so an import must not change it unseen)."""
    # Whole-table reads (a register is thousands of rows), not `__in` lists that can pass SQLite's
    # limit on query parameters for a large file.
    records = dataset.model._default_manager
    owner = dict(records.exclude(nhs_number="").values_list("nhs_number", "case_ref"))
    hidden = set(records.filter(entered_in_error=True).values_list("case_ref", flat=True))
    errors: list[RowError] = []
    for row, cells in rows:
        ref, number = cells.get("case_ref", "").strip(), cells.get("nhs_number", "").strip()
        if number in owner and owner[number] != ref:
            errors.append(RowError(row, "nhs_number", number,
                                   f"NHS number already belongs to {dataset.noun} {owner[number]} (unique per baby)"))
        if ref in hidden:
            errors.append(RowError(row, "case_ref", ref, f"{capfirst(dataset.noun)} {ref} was marked entered in "
                                                         "error; it cannot be changed by an import"))
    return errors


def _pseudonyms(rows: Rows) -> list[RowError]:
    """A pseudonymised export read back would add every baby again under a pseudonym: refuse it."""
    return [RowError(row, "case_ref", cells.get("case_ref", "").strip(),
                     "This is a pseudonym from a pseudonymised export, not a case reference: import a file "
                     "with the real case references")
            for row, cells in rows if _PSEUDONYM.match(cells.get("case_ref", "").strip())]


def _file_rules(dataset: DatasetFile, records: Rows) -> list[RowError]:
    return ([error for rule in dataset.file_rules for error in rule(records)]
            + duplicates_in_file(records, "case_ref", "Duplicate case_ref in the file")
            + duplicates_in_file(records, "nhs_number", "NHS number appears twice in the file (unique per baby)")
            + _clashes_with_database(dataset, records))


@dataclass
class FileBody:
    """A CSV file read into its stripped header and its non-blank rows, or the errors that stop reading."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _read_file(dataset: DatasetFile, data: bytes | str) -> FileBody:
    """Decode, split into records and check the header."""
    try:
        records = list(csv_records(decode(data)))
    except FileRejected as exc:
        return FileBody(errors=[exc.error])
    if not records:
        return FileBody(errors=[RowError(HEADER_ROW, "", "", "The file is empty: it needs the header row")])
    _, raw_header = records[0]
    header = [name.strip() for name in raw_header]
    # A record with no cells at all is a blank line (spreadsheets leave them at the end).
    body = [(row, cells) for row, cells in records[1:] if cells and any(c.strip() for c in cells)]
    return FileBody(header, body, _check_header(dataset, header))


def _complete_rows(file: FileBody) -> Rows:
    """The rows with exactly the header's number of cells, as column → text (for the whole-file rules)."""
    return [(row, dict(zip(file.header, raw, strict=True))) for row, raw in file.rows if len(raw) == len(file.header)]


def parse_dataset(dataset: DatasetFile, data: bytes | str, progress: Progress = _no_progress) -> ParseResult:
    """Read a whole dataset file and check every row; nothing is written. Errors are in file order."""
    file = _read_file(dataset, data)
    result = ParseResult(errors=file.errors)
    if not file.header:  # nothing to check the rows against (unreadable or empty file)
        return result
    units = UnitCache()
    steps = 2 * len(file.rows)
    for done, (row, raw) in enumerate(file.rows):
        if done % PROGRESS_EVERY == 0:
            progress(done, steps)
        parsed, errors = _parse_row(dataset, row, raw, file.header, units)
        result.errors += errors
        if parsed is not None:
            result.rows.append(parsed)
    result.errors += _file_rules(dataset, _complete_rows(file))
    result.errors.sort(key=lambda e: e.row)
    return result


# --- Rows older than the record ------------------------------------------------------------------------

# Who may tick "overwrite newer changes": the people who keep the regional register (issue 12).
OVERWRITE_ROLES = frozenset({Role.NURSE_SPECIALIST})
_CHUNK = 2000  # case_refs per query: well under any database's limit on query parameters


def may_overwrite_newer(user: UserLike | None) -> bool:
    return user is not None and bool(user_roles(user) & OVERWRITE_ROLES)


@dataclass(frozen=True)
class NewerChange:
    """A row would put back a value that a later change replaced: the row is older than that change."""

    row: int
    case_ref: str
    field: str
    event: AuditEvent

    def who_and_when(self) -> str:
        actor = self.event.actor
        who = (actor.get_full_name() or actor.username) if actor else "the system"
        return f"{who} at {timezone.localtime(self.event.at):%H:%M on %d/%m/%Y}"


def _current_values(dataset: DatasetFile, record: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: None if name in dataset.unit_columns.values() and getattr(record, f"{name}_id") is None
            else getattr(record, name) for name in fields}


def _changed_rows(dataset: DatasetFile, rows: list[ParsedRow]) -> list[tuple[ParsedRow, Any, dict[str, list[str]]]]:
    """(row, its saved record, field → [saved, row] as audit text) for each row that changes a saved record."""
    by_ref = {parsed.values["case_ref"]: parsed for parsed in rows}
    refs = list(by_ref)
    changed: list[tuple[ParsedRow, Any, dict[str, list[str]]]] = []
    records: QuerySet[Any] = dataset.model._default_manager.all()
    for start in range(0, len(refs), _CHUNK):
        for record in records.filter(case_ref__in=refs[start:start + _CHUNK]):
            parsed = by_ref[record.case_ref]
            fields = [name for name in parsed.values if name != "case_ref"]
            diff = audit.changes(_current_values(dataset, record, fields), parsed.values, fields)
            if diff:
                changed.append((parsed, record, diff))
    return changed


def newer_changes(dataset: DatasetFile, rows: list[ParsedRow]) -> list[NewerChange]:
    """Rows that would undo a change made after the data in them: the latest recorded change of a field
    went from exactly the row's value to the saved one (the creation is not a change a row can be older than).
    Only rows that change a saved record are looked at, so a file of new babies costs one query per chunk."""
    changed = _changed_rows(dataset, rows)
    if not dataset.object_type or not changed:
        return []
    ids = [str(record.pk) for _, record, _ in changed]
    events: dict[str, list[AuditEvent]] = {}
    history = AuditEvent.objects.filter(object_type=dataset.object_type)
    for start in range(0, len(ids), _CHUNK):
        chunk = history.filter(object_id__in=ids[start:start + _CHUNK]).select_related("actor").order_by("-at", "-id")
        for event in chunk:
            events.setdefault(event.object_id, []).append(event)
    # A record's oldest event is its creation (by a screen, the API or an import): its "before" is nothing
    # the record ever held, so a row cannot be older than it.
    events = {record_id: history_newest_first[:-1] for record_id, history_newest_first in events.items()}
    found = []
    for parsed, record, diff in changed:
        for name, (saved, in_row) in diff.items():
            last = next((e for e in events.get(str(record.pk), []) if name in (e.changes or {})), None)
            if last is not None and last.changes[name] == [in_row, saved]:
                found.append(NewerChange(parsed.row, record.case_ref, name, last))
    return sorted(found, key=lambda change: change.row)


def _newer_change_error(dataset: DatasetFile, change: NewerChange) -> RowError:
    name = change.field
    label = audit.field_names(dataset.model, {name: None})
    saved_was, saved_now = change.event.changes[name]
    column = dataset.column_of_field.get(name, name)
    return RowError(change.row, column, saved_was,
                    f"This row is older than the {dataset.noun}'s last change: {label} was changed from "
                    f"{saved_was or 'not recorded'} to {saved_now or 'not recorded'} by {change.who_and_when()}, "
                    "and this row would put the old value back. Correct the file, or a nurse specialist may tick "
                    "'Overwrite newer changes'")


def _record_overwrite(dataset: DatasetFile, changes: list[NewerChange], by: UserLike) -> None:
    refs = sorted({change.case_ref for change in changes})
    audit.record(actor=by, action=AuditEvent.Action.IMPORT, object_type=f"{dataset.object_type}_import",
                 summary=f"Import overwrote newer changes of {len(refs)} {dataset.noun}{'' if len(refs) == 1 else 's'}",
                 changes={"overwrite_newer": True, "records": refs,
                          "fields": [[c.case_ref, c.field, c.who_and_when()] for c in changes]})


# --- Import -----------------------------------------------------------------------------------------


class _RollBack(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import rolled back")
        self.errors = errors


def _service_errors(parsed: ParsedRow, exc: ValidationError, column_of_field: Mapping[str, str]) -> list[RowError]:
    details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    errors: list[RowError] = []
    for field_name, messages in details.items():
        column = column_of_field.get(field_name, "")
        value = audit.display(parsed.values.get(field_name)) if column else ""
        errors.extend(RowError(parsed.row, column, value, message) for message in messages)
    return errors


def _save_all_or_nothing(dataset: DatasetFile, rows: list[ParsedRow], by: UserLike,
                         progress: Progress = _no_progress) -> ImportResult:
    """Write every checked row in one transaction, or nothing: a row the services refuse rolls the whole
    file back with its errors."""
    try:
        with transaction.atomic():
            result = ImportResult()
            saved_refs = _saved_refs(dataset, rows)
            for done, parsed in enumerate(rows):
                if done % PROGRESS_EVERY == 0:
                    progress(len(rows) + done, 2 * len(rows))
                try:
                    outcome, record = _save(dataset, parsed, by, saved_refs)
                except EnteredInError as exc:  # marked meanwhile (the file rules refuse one marked before)
                    ref = parsed.values["case_ref"]
                    raise _RollBack([RowError(parsed.row, "case_ref", ref, str(exc))]) from exc
                except ValidationError as exc:
                    raise _RollBack(_service_errors(parsed, exc, dataset.column_of_field)) from exc
                except IntegrityError as exc:
                    raise _RollBack([RowError(parsed.row, "", "", dataset.clash)]) from exc
                setattr(result, outcome, getattr(result, outcome) + 1)
                result.flagged += bool(record.dq_flags)
            return result
    except _RollBack as exc:
        return ImportResult(errors=exc.errors)


def _saved_refs(dataset: DatasetFile, rows: list[ParsedRow]) -> set[str]:
    """The file's case_refs that are already saved, read in chunks: a new row then costs no look-up (a record
    saved with its case_ref meanwhile is the unique index's clash, named by the services)."""
    refs = [parsed.values["case_ref"] for parsed in rows]
    records: QuerySet[Any] = dataset.model._default_manager.all()
    return {ref for start in range(0, len(refs), _CHUNK)
            for ref in records.filter(case_ref__in=refs[start:start + _CHUNK]).values_list("case_ref", flat=True)}


def _save(dataset: DatasetFile, parsed: ParsedRow, by: UserLike, saved_refs: set[str] | None = None
          ) -> tuple[str, Any]:
    """Create or update one record through the services; 'created', 'updated' or 'unchanged'."""
    ref = parsed.values["case_ref"]
    known = saved_refs is None or ref in saved_refs
    existing = dataset.model._default_manager.filter(case_ref=ref).first() if known else None
    if existing is None:
        return "created", dataset.create(parsed.values, by)
    saved = dataset.update(existing, parsed.values, by)
    # The update service writes nothing (no version, no audit row) when no value changed.
    return ("unchanged" if saved.version == existing.version else "updated"), saved


def import_dataset(dataset: DatasetFile, data: bytes | str, *, by: UserLike | None = None,
                   overwrite_newer: bool = False, progress: Progress = _no_progress) -> ImportResult:
    """Check the whole file, then write every row in one transaction, or nothing at all.

    A row older than its record's last change (`newer_changes`) refuses the file, unless a nurse specialist
    asked to overwrite newer changes (`overwrite_newer`, audited with what was overwritten)."""
    if overwrite_newer and not may_overwrite_newer(by):
        raise PermissionDenied("Only a clinical nurse specialist may overwrite newer changes with an import")
    parsed = parse_dataset(dataset, data, progress)
    if parsed.errors:
        return ImportResult(errors=parsed.errors)
    newer = newer_changes(dataset, parsed.rows)
    if newer and not overwrite_newer:
        return ImportResult(errors=[_newer_change_error(dataset, change) for change in newer])
    who = by if by is not None else AnonymousUser()
    # Someone may save a clashing record (same case_ref or NHS number) after the file was checked.
    result = _save_all_or_nothing(dataset, parsed.rows, who, progress)
    if result.ok and newer:
        _record_overwrite(dataset, newer, who)
    return result


# Looked up in `services` at each call (not bound here), so a replaced service is the one used.
HIE = DatasetFile(
    name="HIE dataset (v2)", optional_columns=frozenset(V2_COLUMNS),
    noun="case", model=Case, columns=COLUMNS, unit_columns=UNIT_COLUMNS,
    hard_violations=rules.hard_violations, soft_flags=rules.soft_flags, file_rules=(_pseudonyms,),
    object_type=services.OBJECT_TYPE,
    create=lambda values, by: services.case_create(values=values, by=by, action=AuditEvent.Action.IMPORT),
    update=lambda case, values, by: services.case_update(case=case, values=values, expected_version=None, by=by,
                                                         action=AuditEvent.Action.IMPORT),
    clash="This row clashes with a case saved while the file was being imported; import the file again",
)


def parse(data: bytes | str) -> ParseResult:
    """Read a whole HIE file and check every row; nothing is written. Errors are in file order."""
    return parse_dataset(HIE, data)


def import_file(data: bytes | str, *, by: UserLike | None = None, overwrite_newer: bool = False,
                progress: Progress = _no_progress) -> ImportResult:
    """Check the whole HIE file, then write every row in one transaction, or nothing at all."""
    return import_dataset(HIE, data, by=by, overwrite_newer=overwrite_newer, progress=progress)


# --- Export -----------------------------------------------------------------------------------------


# Who may take real case_refs and NHS numbers out of the system (with a stated reason): the people who
# keep the regional register. Everyone else who may export gets the pseudonymised file only.
IDENTIFIABLE_ROLES = frozenset({Role.NURSE_SPECIALIST, Role.ADMINISTRATOR})
MAX_REASON_CHARS = 500


def may_export_identifiable(user: UserLike) -> bool:
    return bool(user_roles(user) & IDENTIFIABLE_ROLES)


def identifiable_refusal(user: UserLike, reason: str) -> str | None:
    """Why an identifiable export is refused, or None when it may go ahead."""
    if not may_export_identifiable(user):
        return ("An identifiable export (real case references and NHS numbers) is only for clinical nurse "
                "specialists and administrators. Download the pseudonymised file instead.")
    if not reason.strip():
        return "Give the reason for the identifiable export: it is kept in the audit trail"
    if len(reason) > MAX_REASON_CHARS:
        return f"The reason must be {MAX_REASON_CHARS} characters or fewer"
    return None


class Pseudonymiser:
    """Replaces case_ref by an HMAC under a key that lives only for one export: stable within that file
    (the same case always gets the same pseudonym) but not linkable across exports or reversible."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def __call__(self, case_ref: str) -> str:
        digest = hmac.new(self._key, case_ref.encode(), hashlib.sha256).hexdigest()
        return f"{PSEUDONYM_PREFIX}{digest[:_PSEUDONYM_HEX_CHARS].upper()}"


def format_cell(value: object) -> str:
    """A value as the dataset writes it: ISO local time with its offset (never ambiguous), ODS codes,
    decimals as stored, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, Unit):
        return value.ods_code
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):  # mri_sequences: the set in the dataset's order
        return ";".join(c.ordered_sequences(value))
    return str(value)


def case_row(case: Case, pseudonymise: Callable[[str], str] | None = None) -> list[str]:
    """One case as dataset cells in spec column order (pseudonymised as `case_values` says)."""
    values = case_values(case, pseudonymise)
    return [format_cell(values[column]) for column in COLUMNS]


def case_values(case: Case, pseudonymise: Callable[[str], str] | None = None) -> dict[str, object]:
    """A case's dataset values by column: the export's, and the API's (api.serializers), one rule for both.

    Pseudonymised: no NHS number, the case_ref replaced, and the date of birth reduced to its month. Every
    time in the row moves back by the same amount as birth does (to 00:00 on the 1st of its month, UK time),
    so each interval (the KPIs' minutes) is exact while no real date or time can be read back: an unshifted
    cooling or MRI time would give the date of birth away to the minute.
    """
    shift = _shift_to_month_start(case.birth_datetime) if pseudonymise is not None else timedelta(0)
    values = {column: _shifted(getattr(case, field_for(column)), shift) for column in COLUMNS}
    if pseudonymise is not None:
        values["case_ref"] = pseudonymise(case.case_ref)
        values["nhs_number"] = ""
    return values


def _shift_to_month_start(birth: datetime) -> timedelta:
    local = birth.astimezone(LONDON)
    month_start = datetime(local.year, local.month, 1, tzinfo=LONDON)
    return birth.astimezone(UTC) - month_start.astimezone(UTC)


def _shifted(value: object, shift: timedelta) -> object:
    if not shift:
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) - shift).astimezone(LONDON)
    if isinstance(value, date):  # a date only (2-year follow-up): moved by the whole days of the shift
        return value - timedelta(days=shift.days)
    return value


def export_queryset(cases: CaseQuerySet) -> CaseQuerySet:
    """The cases an export writes: current ones outside direct care only (entered-in-error and national
    data opt-outs excluded), in a stable order, and only those that exist now (a case created mid-download
    would make the audited count wrong)."""
    return snapshot_for_export(cases.outside_direct_care(), "birth_unit", "cooling_centre", "transport_service")



RecordsQS = TypeVar("RecordsQS", bound=QuerySet[Any])

def snapshot_for_export(records: RecordsQS, *related: str) -> RecordsQS:
    """Records up to the newest id now, by birth then id, so a streamed export has a fixed row count."""
    last_id = records.aggregate(last=Max("id"))["last"] or 0
    return records.filter(id__lte=last_id).select_related(*related).order_by("birth_datetime", "id")


def export_rows(cases: CaseQuerySet, pseudonymise: Callable[[str], str] | None = None) -> Iterator[list[str]]:
    """Header then one row per case, read with .iterator() so a large export is never held in memory."""
    yield list(COLUMNS)
    for case in cases.iterator(chunk_size=500):
        yield case_row(case, pseudonymise)


class _Echo:
    """A file-like object whose write returns the text, so csv.writer can feed a stream line by line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """Each row as one CSV line; no cell can start a formula in a spreadsheet (`core.spreadsheet.safe_cells`)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow(safe_cells(row))


def record_export(*, by: UserLike | None, rows: int, identifiable: bool, reason: str = "") -> AuditEvent:
    """Every export leaves an audit row: who, how many cases, identifiable or not and why."""
    kind = "identifiable" if identifiable else "pseudonymised"
    event = audit.record(actor=by, action=AuditEvent.Action.EXPORT, object_type=EXPORT_OBJECT_TYPE,
                         summary=f"Exported {rows} case{'' if rows == 1 else 's'} ({kind})",
                         changes={"rows": rows, "identifiable": identifiable, "reason": reason})
    case_exported.send(sender=Case, event=event)  # the export log (reporting) records it
    return event
