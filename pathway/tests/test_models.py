"""Case properties computed on instants, not on the wall clock (dataset.md "Date-times")."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.timeutil import LONDON
from pathway.models import Case


@pytest.mark.parametrize(("birth", "moment", "minutes"), [
    # Spring forward, 31 March 2024: 00:30 GMT to 03:30 BST is two hours, not three.
    (datetime(2024, 3, 31, 0, 30, tzinfo=LONDON), datetime(2024, 3, 31, 3, 30, tzinfo=LONDON), 120),
    # Fall back, 27 October 2024: 00:30 BST to 02:30 GMT is three hours, not two.
    (datetime(2024, 10, 27, 0, 30, tzinfo=LONDON), datetime(2024, 10, 27, 2, 30, tzinfo=LONDON), 180),
    # The repeated hour: 01:30 BST (fold 0) then 01:30 GMT (fold 1) are an hour apart.
    (datetime(2024, 10, 27, 1, 30, tzinfo=LONDON), datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON), 60),
])
def test_minutes_from_zero_across_clock_changes(birth: datetime, moment: datetime, minutes: int) -> None:
    assert Case(birth_datetime=birth).minutes_from_zero(moment) == minutes


def test_cooling_start_is_the_earlier_instant_in_the_repeated_hour() -> None:
    first = datetime(2024, 10, 27, 1, 50, tzinfo=LONDON)  # 00:50 UTC
    second = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=LONDON)  # 01:10 UTC, later despite the smaller wall time
    case = Case(birth_datetime=datetime(2024, 10, 26, 22, 0, tzinfo=LONDON),
                passive_cooling_start=second, active_cooling_start=first)
    assert case.cooling_start == first
