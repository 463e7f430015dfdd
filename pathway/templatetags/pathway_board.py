"""Template tags for what is true of a case now: its TOBY criteria and its stage in words.

Tags, not view context, so the case page, its status fragment (refreshed after each section save) and the
timeline all show the same thing without each view building it.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from pathway import phases
from pathway.eligibility import Eligibility, eligibility
from pathway.models import Case

register = template.Library()


@register.simple_tag
def toby_criteria(case: Case) -> Eligibility:
    return eligibility(case)


@register.simple_tag
def stage_now(case: Case) -> str:
    """ "Referred – cooling not yet started (3 h 28 min old, 2 h 32 min left in the 6-hour window)"."""
    return phases.stage_text(case, timezone.now())
