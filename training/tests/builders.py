"""Small builders for training tests: every write goes through training.services, as in the app."""

from __future__ import annotations

from datetime import date

from training import services
from training.models import Establishment, KeyMessage, TrainingSession
from units.access import UserLike
from units.models import Unit


def unit(code: str) -> Unit:
    return Unit.objects.get(ods_code=code)


def record(code: str, day: date, by: UserLike, *, messages: tuple[str, ...] = (), **headcounts: int) -> TrainingSession:
    values = services.SessionValues(
        date=day, trainer="Outreach nurse", format="simulation", headcounts=headcounts or {"nurse": 1},
        key_messages=list(KeyMessage.objects.filter(text__in=messages)))
    return services.session_record(unit=unit(code), values=values, by=by)


def establish(code: str, day: date, by: UserLike, **headcounts: int) -> Establishment:
    return services.establishment_record(unit=unit(code), effective_from=day, headcounts=headcounts, by=by)
