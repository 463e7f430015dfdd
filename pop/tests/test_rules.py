"""The exact words of the hard rules POP shares with the HIE case (required, birth not in the future), for both
datasets, and of POP's own time-at-or-before / at-or-after-birth rule across a clock change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from pathway import rules as case_rules
from pathway.rules import Violation
from pop import rules
from pop.tests.factories import pop_values


def messages(violations: list[Violation]) -> list[tuple[str, str, str]]:
    return [(v.field, v.rule, v.message) for v in violations]


@pytest.mark.parametrize(("values_of", "hard_violations"), [
    (cooled_case_values, case_rules.hard_violations), (pop_values, rules.hard_violations)])
def test_required_and_future_messages(network: None, values_of: Callable[..., dict[str, Any]],
                                      hard_violations: Callable[[dict[str, Any]], list[Violation]]) -> None:
    values = values_of(sex="", birth_weight_g=None, birth=datetime(2099, 1, 1, 3, 0, tzinfo=LONDON))
    assert messages(hard_violations(values)) == [
        ("sex", "required", "Enter the sex (required)"),
        ("birth_weight_g", "required", "Enter the birth weight (g) (required)"),
        ("birth_datetime", "not_future", "The date and time of birth cannot be in the future"),
    ]


def test_birth_order_messages_across_the_clock_change(network: None) -> None:
    # The night the clocks go back: the first 01:45 (BST) comes before a birth at the second 01:30 (GMT).
    birth = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    values = pop_values(birth=birth, first_temp_datetime=datetime(2024, 10, 27, 1, 45, tzinfo=LONDON),
                        magnesium_start_datetime=datetime(2024, 10, 27, 1, 31, tzinfo=LONDON, fold=1))
    assert messages(rules.hard_violations(values)) == [
        ("magnesium_start_datetime", "order.magnesium_start_datetime",
         "The magnesium sulphate start (27/10/2024 01:31) must be at or before the date and time of birth "
         "(27/10/2024 01:30)"),
        ("first_temp_datetime", "order.first_temp_datetime",
         "The time of the first temperature (27/10/2024 01:45) must be at or after the date and time of birth "
         "(27/10/2024 01:30)"),
    ]
