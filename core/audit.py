"""The one way to write an audit row (called by services, never by views), and the one way to say what changed.

`changes(before, after)` is the old → new record of every audited write (cases, POP records, the family
support log and events, board reports, impact inputs, improvement actions, training): `{field: [old, new]}`
as text, for the fields whose value changed. `display(value)` is how a value is written there, the same for
every model: UK local time as people write it (14/05/2024 03:10; in the hour the clocks go back the zone is
added, 27/10/2024 01:30 GMT, so two readings an hour apart never read the same), UK dates (14/05/2024), units
by ODS code, people by username, yes/no, lists comma-separated, and "" for nothing recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from core.fields import concrete_field
from core.models import AuditEvent
from core.timeutil import format_uk


def record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:255],
        changes=changes or {},
    )


# --- What changed -------------------------------------------------------------------------------------------


def changes(before: Mapping[str, Any], after: Mapping[str, Any],
            fields: Iterable[str] | None = None) -> dict[str, list[str]]:
    """{field: [old, new]} as audit text (`display`) for each field whose value changed.

    `fields` default to after's keys, then any only before has. A field missing on one side is empty there:
    a creation is `changes({}, values)`, a deletion `changes(values, {})`. An empty value is not a change
    from another empty one (None and ""), nor is a number from an equal one (pH 7.0 and 7.00) or an instant
    from the same instant in another zone.
    """
    names = list(fields) if fields is not None else [*after, *(name for name in before if name not in after)]
    return {name: [display(before.get(name)), display(after.get(name))]
            for name in names if not _same(before.get(name), after.get(name))}


def field_names(model: type[Model], names: Iterable[str]) -> str:
    """The fields of `model` as people name them ("HIE grade, referral call"), for a change's summary line:
    its verbose names, never the code names; a name that is not a field of the model is left as it is."""
    return ", ".join(_verbose_name(model, name) for name in names)


def _verbose_name(model: type[Model], name: str) -> str:
    try:
        return str(concrete_field(model, name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


def _same(old: object, new: object) -> bool:
    for compared_as_values in (Decimal, datetime):
        # Numerically, and as instants: 7.0 is 7.00, and text without seconds must not hide a changed second.
        if isinstance(old, compared_as_values) and isinstance(new, compared_as_values):
            return old == new
    return display(old) == display(new)


def display(value: object) -> str:
    """A value as the audit trail (and its history pages) write it; "" for nothing recorded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_uk(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Mapping):
        return ", ".join(f"{key} {display(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(display(item) for item in items)
    return _model_text(value)


def _model_text(value: object) -> str:
    ods_code = getattr(value, "ods_code", None)  # a unit: its ODS code, as in the dataset files
    if isinstance(ods_code, str):
        return ods_code
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    return str(value)
