"""Every table's rows kept in memory (PostgreSQL COPY) and put back later in the same pytest process.

For a browser module whose tests share one costly data set-up (two years of demo cases, their figures, a year of
POP records): each of its tests is transactional, so the database is emptied after each one, and seeding again
took 16-26 s a test on an idle machine (40-80 s under load). Putting the copied rows back takes well under a
second and gives the same rows, ids and sequences.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

Snapshot = dict[str, bytes]  # table → its rows in COPY's text format


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def take() -> Snapshot:
    """The rows of every table that has any."""
    assert connection.vendor == "postgresql", "COPY is PostgreSQL's"
    quote = connection.ops.quote_name
    snapshot: Snapshot = {}
    with connection.cursor() as cursor:
        for table in _tables():
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                rows = b"".join(bytes(block) for block in copy)
            if rows:
                snapshot[table] = rows
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Make every table hold exactly the snapshot's rows, and move the id sequences past them."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys: checked as this commits
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table, rows in snapshot.items():
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                copy.write(rows)
        for sql in connection.ops.sequence_reset_sql(no_style(), list(apps.get_models(include_auto_created=True))):
            cursor.execute(sql)
