"""Who may record training, decided through units.access (Action.RECORD_TRAINING).

Nurse specialists and administrators record and edit for any unit (network-wide grant); unit clinicians
for the units they belong to. Viewing coverage, sessions and establishments needs only a sign-in: they hold
no patient data. A session or unit the user may not record for is a 404 on the recording screens.
"""

from __future__ import annotations

from django.http import Http404

from training.models import TrainingSession
from units.access import Action, UserLike, network_wide_for, scoped_unit_ids
from units.models import Unit, UnitQuerySet


def recordable_units(user: UserLike) -> UnitQuerySet:
    units: UnitQuerySet = Unit.objects.active()
    if network_wide_for(user, Action.RECORD_TRAINING):
        return units
    return units.filter(pk__in=scoped_unit_ids(user, Action.RECORD_TRAINING))


def may_record(user: UserLike, unit: Unit) -> bool:
    if not unit.active:
        return False
    return network_wide_for(user, Action.RECORD_TRAINING) or unit.pk in scoped_unit_ids(user, Action.RECORD_TRAINING)


def may_manage_key_messages(user: UserLike) -> bool:
    """The key-message list is the network's: only network-wide recorders (nurse specialists, admins)."""
    return network_wide_for(user, Action.RECORD_TRAINING)


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
