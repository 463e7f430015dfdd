"""Cells that a spreadsheet program will never run as a formula (OWASP "CSV Injection").

Every CSV and XLSX the app writes passes its text cells through `safe_text` (or `xlsx_value`), and every
import passes cells through `restore_text`, so a file written here and read back returns the real value.

OWASP's guidance: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return may be run as a
formula by Excel, LibreOffice or Google Sheets; prefixing a single quote makes the program show it as text.
Plain numbers (`-1.5`, `+3`) are left alone: they are data, not formulas, and a quote would turn a negative
number into text in every downstream sum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _is_risky(text: str) -> bool:
    """Could start a formula, or is already one quote away from one (so a real leading quote survives)."""
    if text.startswith(ESCAPE):
        return _is_risky(text[1:])
    return text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def safe_text(text: str) -> str:
    """The cell as written: text that could start a formula gets a leading quote."""
    return ESCAPE + text if _is_risky(text) else text


def restore_text(text: str) -> str:
    """The cell as read back: undo `safe_text` (a quote before a trigger character), nothing else."""
    if text.startswith(ESCAPE) and _is_risky(text[1:]):
        return text[1:]
    return text


def xlsx_value(value: Any) -> Any:
    """A value for an openpyxl cell: numbers, dates and None as they are, text made safe.

    openpyxl stores any string that starts with "=" as a formula; after `safe_text` none does.
    """
    return safe_text(value) if isinstance(value, str) else value


def safe_cells(cells: Iterable[Any]) -> list[Any]:
    """A CSV row as written: text cells made safe, numbers and None left for the writer to format."""
    return [safe_text(cell) if isinstance(cell, str) else cell for cell in cells]


def restore_cells(cells: Iterable[str]) -> list[str]:
    """A CSV row as read back (`restore_text` on every cell)."""
    return [restore_text(cell) for cell in cells]
