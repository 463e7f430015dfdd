"""The coverage and refresher rules (training/coverage.py), table-driven, no database."""

from __future__ import annotations

from datetime import date

import pytest

from training.coverage import (
    NO_ESTABLISHMENT,
    coverage,
    in_force,
    in_window,
    trained_by_role,
    unit_refresher,
    window_start,
)

AS_OF = date(2024, 7, 15)


@pytest.mark.parametrize(("day", "start"), [
    (date(2024, 7, 15), date(2023, 7, 16)),
    (date(2024, 1, 1), date(2023, 1, 2)),
    (date(2024, 2, 29), date(2023, 3, 1)),  # no 29 Feb a year earlier
    (date(2025, 3, 1), date(2024, 3, 2)),
])
def test_window_is_the_twelve_months_up_to_and_including_the_day(day: date, start: date) -> None:
    assert window_start(day) == start


@pytest.mark.parametrize(("held", "counted"), [
    (date(2023, 7, 15), False),  # exactly a year before: the day the window no longer holds
    (date(2023, 7, 16), True),  # the window's first day
    (date(2024, 7, 15), True),  # the day itself
    (date(2024, 7, 16), False),  # after the day
])
def test_boundary_days(held: date, counted: bool) -> None:
    assert in_window(held, AS_OF) is counted
    assert trained_by_role([(held, "nurse", 3)], AS_OF) == ({"nurse": 3} if counted else {})


# (attendance rows, establishment, trained, establishment total, rate, text)
CASES = [
    pytest.param([(date(2024, 3, 1), "nurse", 10)], {"nurse": 40}, 10, 40, 0.25, "25%", id="simple"),
    pytest.param([(date(2024, 3, 1), "nurse", 30), (date(2024, 6, 1), "nurse", 30)], {"nurse": 40, "doctor": 10},
                 40, 50, 0.8, "80%", id="nurses capped at their establishment, doctors untrained"),
    pytest.param([(date(2024, 3, 1), "nurse", 50), (date(2024, 3, 1), "doctor", 5)], {"nurse": 40, "doctor": 10},
                 45, 50, 0.9, "90%", id="extra nurses do not make up for doctors"),
    pytest.param([(date(2024, 3, 1), "midwife", 12)], {"nurse": 40}, 0, 40, 0.0, "0%",
                 id="a role with no establishment counts nothing"),
    pytest.param([(date(2023, 7, 15), "nurse", 40), (date(2023, 7, 16), "nurse", 4)], {"nurse": 40}, 4, 40, 0.1,
                 "10%", id="12-month boundary day"),
    pytest.param([(date(2024, 3, 1), "nurse", 10)], None, 0, 0, None, NO_ESTABLISHMENT, id="no establishment"),
    pytest.param([], {"nurse": 40}, 0, 40, 0.0, "0%", id="no training is 0%, with an establishment"),
]


@pytest.mark.parametrize(("rows", "establishment", "trained", "total", "rate", "text"), CASES)
def test_coverage_arithmetic(rows: list, establishment: dict | None, trained: int, total: int,
                             rate: float | None, text: str) -> None:
    figure = coverage(trained_by_role(rows, AS_OF), establishment)
    assert (figure.trained, figure.establishment, figure.text) == (trained, total, text)
    assert figure.rate == pytest.approx(rate) if rate is not None else figure.rate is None


def test_rag_bands_have_text_labels() -> None:
    assert [(coverage({"nurse": n}, {"nurse": 10}).rag, coverage({"nurse": n}, {"nurse": 10}).rag_label)
            for n in (8, 7, 5, 4)] == [("green", "Good"), ("amber", "Improve"), ("amber", "Improve"), ("red", "Low")]
    assert (coverage({}, None).rag, coverage({}, None).text) == ("grey", NO_ESTABLISHMENT)


def test_establishment_in_force_is_the_latest_on_or_before_the_day() -> None:
    history = [(date(2023, 1, 1), {"nurse": 30}), (date(2024, 7, 15), {"nurse": 40}), (date(2024, 9, 1), {"nurse": 50})]
    assert in_force(history, date(2022, 12, 31)) is None
    assert in_force(history, date(2024, 7, 14)) == {"nurse": 30}
    assert in_force(history, date(2024, 7, 15)) == {"nurse": 40}
    assert in_force(history, date(2025, 1, 1)) == {"nurse": 50}


@pytest.mark.parametrize(("last", "due", "text"), [
    (None, True, "Never"),
    (date(2024, 1, 17), True, "Due since 15/07/2024"),  # 180 days ago: due today
    (date(2024, 1, 18), False, "Due 16/07/2024"),  # 179 days ago: due tomorrow
])
def test_session_refresher(last: date | None, due: bool, text: str) -> None:
    refresher = unit_refresher(last_session=last, message_last={}, interval_days=180, today=AS_OF)
    assert (refresher.is_due, refresher.session.text) == (due, text)


def test_a_key_message_due_makes_the_unit_due_and_says_why() -> None:
    refresher = unit_refresher(last_session=date(2024, 7, 1), interval_days=180, today=AS_OF,
                               message_last={"Avoid overcooling": date(2024, 7, 1), "Document times": None,
                                             "Support the family": date(2023, 12, 1)})
    assert refresher.session.is_due is False
    assert refresher.due_messages == ["Document times", "Support the family"]
    assert refresher.is_due is True
    assert refresher.reasons == ["“Document times” never covered", "“Support the family” last covered 01/12/2023"]


def test_unit_never_trained_is_due() -> None:
    refresher = unit_refresher(last_session=None, message_last={}, interval_days=180, today=AS_OF)
    assert refresher.is_due and refresher.reasons == ["no training session recorded"]
