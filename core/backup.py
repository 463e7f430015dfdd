"""Backup and restore of the whole database as one portable, checksummed file (issue 7 "Faults").

Format: gzip-compressed JSON lines. Line 1 is a manifest (format version, created at, Django migration
state, row count and SHA-256 of the data lines per model); every further line is one object as
`dumpdata` serialises it. It is database-neutral (a PostgreSQL backup restores into SQLite and back),
streams (memory stays flat), and a restore checks every checksum before it writes anything, then loads
everything in one transaction: a damaged or partial file changes nothing.

For very large production databases use `pg_dump -Fc` as well (docs/deployment.md); this pair is the
application-level round trip the tests prove.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import sort_dependencies
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

from core.files import open_private

FORMAT = "pathway-backup/1"
# Sessions are not data worth keeping: a restore signs everyone out.
SKIPPED = {"sessions.session"}
CHUNK = 2000


class BackupError(Exception):
    """The file is not a backup this version can restore, or it is damaged."""


@dataclass(frozen=True)
class Summary:
    models: int
    objects: int


def _models() -> list[type[Model]]:
    """Every concrete model in dependency order (so a plain load satisfies foreign keys)."""
    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = sort_dependencies(app_list, allow_cycles=True)
    return [m for m in ordered if m._meta.label_lower not in SKIPPED and not m._meta.proxy and m._meta.managed]


def _encode(value: object) -> str:
    # Django's JSON encoder cuts datetimes to milliseconds; a backup must keep every microsecond.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"Cannot back up a {type(value).__name__}")


def _lines(model: type[Model]) -> Iterator[str]:
    queryset = model._default_manager.order_by("pk")
    for obj in queryset.iterator(chunk_size=CHUNK):
        # Primary keys, not natural keys (few models define them): a restore goes into emptied tables.
        (record,) = serializers.serialize("python", [obj])
        yield json.dumps(record, default=_encode, sort_keys=True, ensure_ascii=False)


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def backup(path: Path) -> Summary:
    """Write the whole database to `path` (two passes per model: checksum, then data, to stream)."""
    models = _models()
    manifest: dict[str, Any] = {"format": FORMAT, "created": timezone.now().isoformat(),
                                "migrations": _migrations(), "models": {}}
    for model in models:
        digest, count = hashlib.sha256(), 0
        for line in _lines(model):
            digest.update(line.encode())
            count += 1
        manifest["models"][model._meta.label_lower] = {"count": count, "sha256": digest.hexdigest()}
    total = 0
    # Owner-only (0600) whatever the umask: the file holds every identifiable record (core.files).
    with open_private(path) as raw, gzip.open(raw, "wt", encoding="utf-8") as out:
        out.write(json.dumps(manifest) + "\n")
        for model in models:
            for line in _lines(model):
                out.write(line + "\n")
                total += 1
    return Summary(len(models), total)


def _data_lines(path: Path) -> Iterator[str]:
    """The object lines, streamed (the manifest line is skipped)."""
    with gzip.open(path, "rt", encoding="utf-8") as source:
        source.readline()
        for line in source:
            yield line.rstrip("\n")


def _manifest(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            manifest = json.loads(source.readline())
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{path} is not a readable backup file ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} file")
    return manifest


def verify(path: Path) -> dict[str, Any]:
    """The manifest, once every model's row count and checksum match the data; BackupError otherwise."""
    manifest = _manifest(path)
    seen: dict[str, tuple[int, Any]] = {}
    try:
        for line in _data_lines(path):
            label = json.loads(line)["model"]
            count, digest = seen.get(label, (0, hashlib.sha256()))
            digest.update(line.encode())
            seen[label] = (count + 1, digest)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is damaged ({exc})") from None
    for label, expected in manifest["models"].items():
        count, digest = seen.pop(label, (0, hashlib.sha256()))
        if count != expected["count"] or digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"{label}: the file is damaged or incomplete (expected {expected['count']} rows, "
                              f"found {count})")
    if seen:
        raise BackupError(f"Rows of models not in the manifest: {', '.join(sorted(seen))}")
    if manifest["migrations"] != _migrations():
        raise BackupError("The backup was made at a different migration state: run the same code's migrations first")
    return manifest


def restore(path: Path) -> Summary:
    """Replace every table's contents with the backup, in one transaction, after verifying the whole file."""
    manifest = verify(path)
    count = 0
    with transaction.atomic():
        _empty_every_table()
        for chunk in _chunks(_data_lines(path), CHUNK):
            for obj in serializers.deserialize("python", [json.loads(line) for line in chunk]):
                obj.save()
                count += 1
        _reset_sequences(_models())
    return Summary(len(manifest["models"]), count)


def _chunks(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _empty_every_table() -> None:
    # What `flush` runs (TRUNCATE on PostgreSQL, DELETE on SQLite); inside the transaction, so a failed load
    # leaves the database as it was.
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses while deferred foreign-key checks of this transaction are pending: run them now,
            # then defer again so the load can insert rows in any order.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _reset_sequences(models: list[type[Model]]) -> None:
    """PostgreSQL: move id sequences past the restored ids (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
