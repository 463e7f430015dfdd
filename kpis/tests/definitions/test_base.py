"""Shared rules of the definitions (kpis.md "Conventions"): coded answers and the met/not-met switch."""

from __future__ import annotations

import pytest

from kpis.definitions.base import not_recorded, outcome_of_answer
from kpis.outcome import Outcome


@pytest.mark.parametrize(("answer", "expected"), [
    ("yes", Outcome.MET),
    ("no", Outcome.NOT_MET),
    ("unknown", Outcome.MISSING),
    ("", Outcome.MISSING),
])
def test_outcome_of_answer(answer: str, expected: Outcome) -> None:
    assert outcome_of_answer(answer, met="yes", not_met="no") is expected


def test_an_unexpected_code_raises_instead_of_landing_in_a_bucket() -> None:
    with pytest.raises(ValueError, match="'moved_out'"):
        outcome_of_answer("moved_out", met="completed", not_met="not_done")


@pytest.mark.parametrize(("answer", "expected"), [("", True), ("unknown", True), ("no", False), ("yes", False)])
def test_not_recorded(answer: str, expected: bool) -> None:
    assert not_recorded(answer) is expected


def test_outcome_of_condition() -> None:
    assert Outcome.of(True) is Outcome.MET
    assert Outcome.of(False) is Outcome.NOT_MET
