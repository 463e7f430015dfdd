"""A list-of-codes column that works on PostgreSQL and on the embedded SQLite default.

PostgreSQL stores it as a native array (`ArrayField`, with its validation, forms and admin); SQLite, which
has no arrays, stores the same list as JSON text. Without this a fresh `make run` (SQLite) could not even
migrate. Only whole-value reads and writes are used (no `__contains` lookups), so both behave the same.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.backends.base.base import BaseDatabaseWrapper


def _native(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


class CodeListField(ArrayField):
    """`ArrayField` on PostgreSQL; a JSON list in a text column elsewhere."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return super().db_type(connection) if _native(connection) else "text"

    def cast_db_type(self, connection: BaseDatabaseWrapper) -> str:
        return super().cast_db_type(connection) if _native(connection) else "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: BaseDatabaseWrapper) -> str:
        # PostgreSQL's "%s::varchar(4)[]" cast; SQLite takes the JSON text as it is.
        return super().get_placeholder(value, compiler, connection) if _native(connection) else "%s"

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if _native(connection):
            return super().get_db_prep_value(value, connection, prepared)
        return None if value is None else json.dumps(list(value))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if isinstance(value, str) and not _native(connection):
            return json.loads(value)
        return value
