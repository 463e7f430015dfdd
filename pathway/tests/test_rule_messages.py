"""The exact words of the HIE hard rules that POP words the same way (required, birth not in the future, one time
before another across a clock change)."""

from __future__ import annotations

from datetime import datetime

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from pathway import rules


def messages(values: dict[str, object]) -> list[tuple[str, str, str]]:
    return [(v.field, v.rule, v.message) for v in rules.hard_violations(values)]


def test_required_and_future_and_order_messages(network: None) -> None:
    values = cooled_case_values(sex="", birth_weight_g=None, birth=datetime(2099, 1, 1, 3, 0, tzinfo=LONDON))
    assert messages(values) == [
        ("sex", "required", "Enter the sex (required)"),
        ("birth_weight_g", "required", "Enter the birth weight (g) (required)"),
        ("birth_datetime", "not_future", "The date and time of birth cannot be in the future"),
    ]
    # The night the clocks go back: a referral at the first 01:45 (BST) came before a birth at the second 01:30.
    birth = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    values = cooled_case_values(birth=birth, referral_datetime=datetime(2024, 10, 27, 1, 45, tzinfo=LONDON))
    assert messages(values) == [("referral_datetime", "order.referral_datetime",
                                 "The referral call (27/10/2024 01:45) must be at or after the "
                                 "date and time of birth (27/10/2024 01:30)")]
