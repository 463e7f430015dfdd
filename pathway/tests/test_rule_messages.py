"""The exact words of the HIE time-order rule across a clock change (the required and not-in-the-future rules,
shared with POP, are pinned for both in pop/tests/test_rules.py)."""

from __future__ import annotations

from datetime import datetime

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from pathway import rules


def test_order_message_across_the_clock_change(network: None) -> None:
    # The night the clocks go back: a referral at the first 01:45 (BST) came before a birth at the second 01:30.
    birth = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    values = cooled_case_values(birth=birth, referral_datetime=datetime(2024, 10, 27, 1, 45, tzinfo=LONDON))
    assert [(v.field, v.rule, v.message) for v in rules.hard_violations(values)] == [
        ("referral_datetime", "order.referral_datetime",
         "The time of referral call (27/10/2024 01:45) must be at or after the date and time of birth "
         "(27/10/2024 01:30)")]
