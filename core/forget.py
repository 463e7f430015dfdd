"""Forgetting records that were deleted: every place that still writes one of their identifiers is rewritten.

Retention (`pathway.retention`) deletes a baby's record with the rows that are wholly about it (its history,
its worklist acknowledgements). What remains can still name it in passing: an import's audit row that lists
the case references it overwrote, an export's stated reason, an import job's error table, a search kept in a
session, an improvement action's notes. Those rows stay (they record other things, and their counts), with
each identifier replaced by `REMOVED`.

An identifier is a case reference (a whole word of letters, digits and hyphens: `HIE-0001` never matches
inside `HIE-00012`), an NHS number (its 10 digits, also as people write them: spaced or dashed 3-3-4), or a
record's address (`/cases/123/`). Every text and JSON column of the project's own models is looked at
(`_columns`), so a column added later is covered without being listed here; the database finds the candidate
rows (a regular expression per chunk of identifiers) and Python rewrites them exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import Any, Final

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

REMOVED: Final = "[removed by retention]"
# The project's apps (and the admin's own change log); third-party tables hold no patient text.
APP_LABELS: Final = ("admin", "core", "units", "pathway", "kpis", "reporting", "training", "families", "api", "pop",
                     "accounts", "improvement")
_CHUNK: Final = 100  # identifiers per database pattern
_REF_EDGE: Final = r"[A-Za-z0-9_-]"


@dataclass(frozen=True)
class Identifiers:
    """What names a deleted record: case references, NHS numbers and record addresses (`/cases/123/`)."""

    refs: frozenset[str] = field(default_factory=frozenset)
    nhs_numbers: frozenset[str] = field(default_factory=frozenset)
    paths: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.refs or self.nhs_numbers or self.paths)

    @cached_property
    def _patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        terms = [*(("ref", r) for r in sorted(self.refs)), *(("nhs", n) for n in sorted(self.nhs_numbers)),
                 *(("path", p) for p in sorted(self.paths))]
        chunks = [terms[start:start + _CHUNK] for start in range(0, len(terms), _CHUNK)]
        return tuple(("|".join(_loose(kind, term) for kind, term in chunk),
                      re.compile("|".join(_exact(kind, term) for kind, term in chunk), re.IGNORECASE))
                     for chunk in chunks)

    def patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(database pattern, exact Python pattern) per chunk. The database's is looser (PostgreSQL has no
        look-behind), so it finds a superset of the rows the Python one rewrites. Built once per set of
        identifiers: the scrubs test every session's searches and every kept file against them."""
        return self._patterns


def _nhs(digits: str) -> str:
    return r"[ -]?".join(digits)  # 943 476 5919, 943-476-5919 and 9434765919


def _loose(kind: str, term: str) -> str:
    return _nhs(term) if kind == "nhs" else re.escape(term)


def _exact(kind: str, term: str) -> str:
    if kind == "nhs":
        return rf"(?<!\d){_nhs(term)}(?!\d)"
    if kind == "path":
        return rf"{re.escape(term)}(?!\d)"
    return rf"(?<!{_REF_EDGE}){re.escape(term)}(?!{_REF_EDGE})"


def scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """The value (text, or JSON: lists, dicts, their keys too) with every identifier replaced."""
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {scrub(key, pattern): scrub(item, pattern) for key, item in value.items()}
    return value


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """A model's free text and JSON columns. Not codes: a column with choices, a unique one (a key), or one too
    short to hold `REMOVED` (an NHS number column: a kept record's own number is never rewritten)."""
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.JSONField)
            or (isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.unique
                and not f.primary_key and (f.max_length or len(REMOVED)) >= len(REMOVED))]


def _rewritten(row: models.Model, column: models.Field[Any, Any], pattern: re.Pattern[str]) -> Any:
    value = scrub(getattr(row, column.attname), pattern)
    return value[:column.max_length] if isinstance(value, str) and column.max_length else value


def _models() -> Iterator[type[models.Model]]:
    for label in APP_LABELS:
        yield from apps.get_app_config(label).get_models()


def _candidates(model: type[models.Model], columns: list[models.Field[Any, Any]], loose: str
                ) -> models.QuerySet[Any]:
    texts = {f"_forget_{f.name}": Cast(f.name, TextField()) for f in columns if isinstance(f, models.JSONField)}
    match = Q()
    for f in columns:
        name = f"_forget_{f.name}" if isinstance(f, models.JSONField) else f.name
        match |= Q(**{f"{name}__iregex": loose})
    return model._default_manager.annotate(**texts).filter(match)


def scrub_rows(identifiers: Identifiers, *, write: bool = True,
               skip: Mapping[type[models.Model], models.QuerySet[Any]] | None = None) -> int:
    """Rewrite every row of the project's models that names one of the identifiers (with write=False only
    count them); how many rows. `skip`: rows left alone per model (a dry run's rows that the run deletes)."""
    if not identifiers:
        return 0
    changed: set[tuple[str, object]] = set()
    for model in _models():
        columns = _columns(model)
        if not columns:
            continue
        for loose, exact in identifiers.patterns():
            candidates = _candidates(model, columns, loose)
            if skip and model in skip:
                candidates = candidates.exclude(pk__in=skip[model].values("pk"))
            for row in candidates.iterator():
                new = {f.attname: _rewritten(row, f, exact) for f in columns}
                if any(new[name] != getattr(row, name) for name in new):
                    if write:
                        model._default_manager.filter(pk=row.pk).update(**new)  # no save(): auto_now stays
                    changed.add((model._meta.label, row.pk))  # once, whichever chunks named it
    return len(changed)


def scrub_sessions(identifiers: Identifiers, session_key: str, *, write: bool = True) -> int:
    """Drop the remembered searches (`core.search`, kept in each session under `session_key`) whose text
    names an identifier. Database sessions only: other engines expire them (SEARCH_TOKEN_SECONDS)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not identifiers or not hasattr(store, "get_model_class"):
        return 0
    dropped = 0
    for row in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store().decode(row.session_data)
        searches = data.get(session_key)
        if not searches:
            continue
        kept = {token: entry for token, entry in searches.items()
                if not any(exact.search(str(entry[0])) for _, exact in identifiers.patterns())}
        if len(kept) != len(searches):
            dropped += len(searches) - len(kept)
            if not write:
                continue
            row.session_data = store().encode({**data, session_key: kept})
            row.save(update_fields=["session_data"])  # the session's expiry stays as it was
    return dropped
