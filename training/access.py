"""Who may record training, decided through units.access (Action.RECORD_TRAINING).

Nurse specialists and administrators record and edit for any unit of their network (network-wide grant,
`units.access.units_for`); unit clinicians for the units they belong to. Viewing coverage, sessions and
establishments needs only a sign-in (their networks' rows: `units.access.home_network_ids`): they hold
no patient data. A session or unit the user may not record for is a 404 on the recording screens.
"""

from __future__ import annotations

from django.http import Http404

from training.models import KeyMessage, KeyMessageQuerySet, TrainingSession
from units.access import (
    Action,
    UserLike,
    home_network_ids,
    home_units,
    may_act_at,
    network_ids_for,
    network_wide_for,
    units_for,
)
from units.models import Network, Unit, UnitQuerySet


def viewable_units(user: UserLike) -> UnitQuerySet:
    """Units whose coverage and sessions the user sees: every unit of the networks they work in."""
    return home_units(user)


def recordable_units(user: UserLike) -> UnitQuerySet:
    return units_for(user, Action.RECORD_TRAINING).filter(active=True)


def may_record(user: UserLike, unit: Unit) -> bool:
    if not unit.active:
        return False
    return may_act_at(user, Action.RECORD_TRAINING, unit)


def may_manage_key_messages(user: UserLike) -> bool:
    """The key-message list is the network's: only network-wide recorders (nurse specialists, admins)."""
    return network_wide_for(user, Action.RECORD_TRAINING)


def key_messages_for(user: UserLike) -> KeyMessageQuerySet:
    """The key-message lists the user reads: those of the networks they work in (each network keeps its own,
    issue 18). Like coverage, they hold no patient data."""
    return KeyMessage.objects.of_networks(home_network_ids(user))


def key_message_networks(user: UserLike) -> list[Network]:
    """The networks whose list the user manages (nurse specialists and administrators of that network)."""
    return list(Network.objects.filter(pk__in=network_ids_for(user, Action.RECORD_TRAINING)).order_by("name"))


def key_message_for_managing(user: UserLike, pk: int) -> KeyMessage:
    """A key message of a list the user manages; any other is a 404."""
    ids = network_ids_for(user, Action.RECORD_TRAINING)
    message = KeyMessage.objects.filter(pk=pk, network_id__in=ids).first()
    if message is None:
        raise Http404("No such key message")
    return message


def unit_for_recording(user: UserLike, ods: str) -> Unit:
    unit = Unit.objects.filter(ods_code=ods.upper()).first()
    if unit is None or not may_record(user, unit):
        raise Http404("No such unit")
    return unit


def session_for_recording(user: UserLike, pk: int) -> TrainingSession:
    session = TrainingSession.objects.select_related("unit").filter(pk=pk).first()
    if session is None or not may_record(user, session.unit):
        raise Http404("No such training session")
    return session
