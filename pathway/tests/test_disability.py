"""Disability at two years (kpis.md v2, TOBY with Bayley composites): every boundary, hand-worked."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pathway.disability import Disability, classify

FOLLOWED = {"followup_2y": "completed", "bayley_version": "iii", "bayley_cognitive": None, "gmfcs_level": None,
            "vision": "", "hearing": "", "epilepsy": "", "cerebral_palsy": ""}


def child(**items: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**FOLLOWED, **items})


@pytest.mark.parametrize(("items", "level"), [
    ({"bayley_cognitive": 69}, Disability.SEVERE),
    ({"bayley_cognitive": 70}, Disability.MODERATE),
    ({"bayley_cognitive": 84}, Disability.MODERATE),
    ({"bayley_cognitive": 85}, Disability.NONE_OR_MILD),
    ({"bayley_cognitive": 100, "gmfcs_level": 3, "cerebral_palsy": "bilateral_spastic"}, Disability.SEVERE),
    ({"bayley_cognitive": 100, "gmfcs_level": 5, "cerebral_palsy": "dyskinetic"}, Disability.SEVERE),
    ({"bayley_cognitive": 100, "gmfcs_level": 2, "cerebral_palsy": "unilateral_spastic"}, Disability.MODERATE),
    ({"bayley_cognitive": 100, "gmfcs_level": 1, "cerebral_palsy": "unilateral_spastic"}, Disability.NONE_OR_MILD),
    ({"bayley_cognitive": 100, "vision": "no_useful_vision"}, Disability.SEVERE),
    ({"bayley_cognitive": 100, "vision": "impaired"}, Disability.NONE_OR_MILD),
    ({"bayley_cognitive": 100, "hearing": "aided"}, Disability.MODERATE),
    ({"bayley_cognitive": 100, "hearing": "profound_loss"}, Disability.MODERATE),
    ({"bayley_cognitive": 100, "epilepsy": "yes"}, Disability.MODERATE),
    ({"bayley_cognitive": 75, "vision": "no_useful_vision"}, Disability.SEVERE),  # severe wins
    # No cognitive score: severe and moderate findings still classify; otherwise it depends on "not done".
    ({"bayley_version": "not_done", "gmfcs_level": 4, "cerebral_palsy": "other"}, Disability.SEVERE),
    ({"bayley_version": "not_done", "hearing": "aided"}, Disability.MODERATE),
    ({"bayley_version": "not_done", "cerebral_palsy": "none"}, Disability.NONE_OR_MILD),
    ({"bayley_version": "not_done", "cerebral_palsy": "unknown"}, Disability.UNCLASSIFIABLE),
    ({"bayley_version": "iii"}, Disability.UNCLASSIFIABLE),
    ({"bayley_version": "", "cerebral_palsy": "none"}, Disability.UNCLASSIFIABLE),
])
def test_classification(items: dict[str, Any], level: Disability) -> None:
    found = classify(child(**items))
    assert found is not None
    assert found.level == level
    assert found.reasons
    assert found.moderate_or_severe is (level in (Disability.MODERATE, Disability.SEVERE))


@pytest.mark.parametrize("status", ["", "not_done", "moved_out", "unknown"])
def test_only_a_completed_assessment_is_classified(status: str) -> None:
    assert classify(child(followup_2y=status, bayley_cognitive=60)) is None


def test_the_reasons_name_what_decided_it() -> None:
    found = classify(child(bayley_cognitive=65, gmfcs_level=4, cerebral_palsy="bilateral_spastic"))
    assert found is not None
    assert found.reasons == ("Bayley cognitive composite 65 is below 70", "GMFCS level 4 (3 to 5)")
