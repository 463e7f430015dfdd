"""The exact words of the POP hard rules worded like the HIE ones (required, birth not in the future, a time at or
before / after birth across a clock change)."""

from __future__ import annotations

from datetime import datetime

from core.timeutil import LONDON
from pop import rules
from pop.tests.factories import pop_values


def messages(values: dict[str, object]) -> list[tuple[str, str, str]]:
    return [(v.field, v.rule, v.message) for v in rules.hard_violations(values)]


def test_required_and_future_and_order_messages(network: None) -> None:
    values = pop_values(sex="", birth_weight_g=None, birth=datetime(2099, 1, 1, 3, 0, tzinfo=LONDON))
    assert messages(values) == [
        ("sex", "required", "Enter the sex (required)"),
        ("birth_weight_g", "required", "Enter the birth weight (g) (required)"),
        ("birth_datetime", "not_future", "The date and time of birth cannot be in the future"),
    ]
    # The night the clocks go back: the first 01:45 (BST) comes before a birth at the second 01:30 (GMT).
    birth = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    values = pop_values(birth=birth, first_temp_datetime=datetime(2024, 10, 27, 1, 45, tzinfo=LONDON),
                        magnesium_start_datetime=datetime(2024, 10, 27, 1, 31, tzinfo=LONDON, fold=1))
    assert messages(values) == [
        ("magnesium_start_datetime", "order.magnesium_start_datetime",
         "The magnesium sulphate start (27/10/2024 01:31) must be at or before the date and time of birth "
         "(27/10/2024 01:30)"),
        ("first_temp_datetime", "order.first_temp_datetime",
         "The time of the first temperature (27/10/2024 01:45) must be at or after the date and time of birth "
         "(27/10/2024 01:30)"),
    ]
