"""The only door to POP records: which records a user may list, view, edit or export.

A user acts on a record when a network-wide role grants the action in the network of the record's birth
unit (units.access.network_ids_for), or when a unit-scoped role at the
record's birth unit grants it (units.access.ROLE_ACTIONS; POP records have no cooling centre). Anything else
is a 404, so guessing a URL reveals nothing.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from pop.models import PopRecord, PopRecordQuerySet
from units.access import Action, UserLike, every_network, network_ids_for, scoped_unit_ids


def records_for(user: UserLike, action: Action = Action.LIST) -> PopRecordQuerySet:
    records: PopRecordQuerySet = PopRecord.objects.all()
    if not user.is_authenticated:
        return records.none()
    network_ids = network_ids_for(user, action)
    if every_network(user, network_ids):
        return records
    unit_ids = scoped_unit_ids(user, action)
    if not unit_ids and not network_ids:
        return records.none()
    return records.filter(Q(birth_unit_id__in=unit_ids) | Q(birth_unit__network_id__in=network_ids))


def get_record_for_user(user: UserLike, pk: int, action: Action = Action.VIEW) -> PopRecord:
    """The record if the user may do the action on it; a 404 otherwise (never a 403 that leaks existence)."""
    record = records_for(user, action).select_related("birth_unit").filter(pk=pk).first()
    if record is None:
        raise Http404("No such POP record")
    return record


def can(user: UserLike, record: PopRecord, action: Action) -> bool:
    return records_for(user, action).filter(pk=record.pk).exists()
