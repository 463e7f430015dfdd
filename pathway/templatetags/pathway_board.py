"""Template tags for what is true of a case now: its TOBY criteria and its stage in words.

Tags, not view context, so the case page, its status fragment (refreshed after each section save) and the
timeline all show the same thing without each view building it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from pathway import phases
from pathway.eligibility import Eligibility, eligibility
from pathway.models import Case, WorklistAcknowledgement
from pathway.rules import SOFT_MESSAGES

register = template.Library()


@register.simple_tag
def toby_criteria(case: Case) -> Eligibility:
    return eligibility(case)


@register.simple_tag
def stage_now(case: Case) -> str:
    """ "Referred – cooling not yet started (3 h 28 min old, 2 h 32 min left in the 6-hour window)"."""
    return phases.stage_text(case, timezone.now())


@dataclass(frozen=True)
class Warning:
    """One data-quality warning of the case, and its acknowledgement if someone closed it with a reason."""

    flag: str
    message: str
    key: str  # the worklist item's key (pathway.worklist.Item.key)
    acknowledgement: WorklistAcknowledgement | None


@register.simple_tag
def warnings_of(case: Case) -> list[Warning]:
    """The case's warnings, open first: an acknowledged one is shown as such, not as a live problem."""
    if not case.dq_flags:
        return []
    keys = {f"data_quality:{flag}": flag for flag in case.dq_flags}
    acks = {
        a.item_key: a
        for a in WorklistAcknowledgement.objects.filter(case=case, item_key__in=keys).select_related("acknowledged_by")
    }
    found = [Warning(flag, SOFT_MESSAGES.get(flag, flag), key, acks.get(key)) for key, flag in keys.items()]
    return sorted(found, key=lambda w: w.acknowledgement is not None)
