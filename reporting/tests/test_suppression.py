"""Small-number suppression rules, table-driven (reporting.suppression; no database)."""

from __future__ import annotations

import pytest

from reporting.suppression import Relation, display, hides_derived, recoverable, suppress, suppressed_text

ROW = [Relation("den", ("num", "not_met"))]

CASES: list[tuple[str, dict[str, int | None], list[Relation[str]], int, set[str]]] = [
    ("nothing small: nothing hidden", {"num": 12, "not_met": 8, "den": 20}, ROW, 5, set()),
    ("zero is not small", {"num": 0, "not_met": 9, "den": 9}, ROW, 5, set()),
    ("5 is not small at threshold 5", {"num": 5, "not_met": 15, "den": 20}, ROW, 5, set()),
    ("4 is small, and its complement goes too", {"num": 4, "not_met": 16, "den": 20}, ROW, 5, {"num", "not_met"}),
    ("1 is small", {"num": 19, "not_met": 1, "den": 20}, ROW, 5, {"num", "not_met"}),
    ("both parts small: the total can stay", {"num": 2, "not_met": 3, "den": 5}, ROW, 5, {"num", "not_met"}),
    ("a small total is hidden with its part; the zero part may show", {"num": 3, "not_met": 0, "den": 3}, ROW, 5,
     {"num", "den"}),
    ("a zero part becomes the complement when it is the only one left",
     {"num": 3, "not_met": 0, "den": 30}, [Relation("den", ("num", "not_met")), Relation("x", ("num",))], 5,
     {"num", "not_met"}),
    ("threshold 10 hides 9", {"num": 9, "not_met": 30, "den": 39}, ROW, 10, {"num", "not_met"}),
    ("threshold 1 hides nothing", {"num": 1, "not_met": 1, "den": 2}, ROW, 1, set()),
    ("the smallest unsuppressed part is the complement",
     {"t": 30, "a": 2, "b": 10, "c": 18}, [Relation("t", ("a", "b", "c"))], 5, {"a", "b"}),
    ("ties go to the first listed part",
     {"t": 22, "a": 2, "b": 10, "c": 10}, [Relation("t", ("a", "b", "c"))], 5, {"a", "b"}),
    ("secondary suppression cascades into a second relation",
     # units u1, u2 add up to network n; u1's met (3) is small, its complement in u1's row is not_met (7);
     # then not_met alone is hidden in the network relation, so u2's not_met goes too.
     {"u1m": 3, "u1x": 7, "u1d": 10, "u2m": 20, "u2x": 6, "u2d": 26, "nm": 23, "nx": 13, "nd": 36},
     [Relation("u1d", ("u1m", "u1x")), Relation("u2d", ("u2m", "u2x")), Relation("nd", ("nm", "nx")),
      Relation("nm", ("u1m", "u2m")), Relation("nx", ("u1x", "u2x")), Relation("nd", ("u1d", "u2d"))],
     5, {"u1m", "u1x", "u2m", "u2x"}),
    ("cells missing from the table are ignored", {"num": 3, "den": 10}, ROW, 5, {"num", "den"}),
    ("None counts are never hidden", {"num": None, "not_met": None, "den": None}, ROW, 5, set()),
]


@pytest.mark.parametrize(("name", "values", "relations", "threshold", "expected"), CASES, ids=[c[0] for c in CASES])
def test_suppress(name: str, values: dict[str, int | None], relations: list[Relation[str]], threshold: int,
                  expected: set[str]) -> None:
    assert suppress(values, relations, threshold) == expected


@pytest.mark.parametrize(("name", "values", "relations", "threshold", "expected"), CASES, ids=[c[0] for c in CASES])
def test_no_relation_is_left_with_one_hidden_member(name: str, values: dict[str, int | None],
                                                    relations: list[Relation[str]], threshold: int,
                                                    expected: set[str]) -> None:
    hidden = suppress(values, relations, threshold)
    for relation in relations:
        present = [m for m in relation.members if m in values and values[m] is not None]
        if relation.total in values:
            assert sum(m in hidden for m in present) != 1, relation


def test_display_and_derived_figures() -> None:
    hidden = {"num"}
    # One neutral mark for every hidden cell, whatever the threshold and whatever it hides.
    assert display(3, "num", hidden) == "[c]"
    assert display(19, "num", hidden) == "[c]"
    assert display(12, "den", hidden) == "12"
    assert display(None, "den", hidden) == ""
    assert suppressed_text() == "[c]"
    assert hides_derived(hidden, ("num", "den")) is True
    assert hides_derived(hidden, ("n",)) is False


def test_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        suppress({"a": 1}, [], 0)


def test_a_part_the_report_does_not_print_leaves_the_sum_open() -> None:
    """t = a + b + r, r not printed: a's small 2 cannot be subtracted out, so nothing more is hidden; with r
    printed (known) the smaller of b and t goes."""
    values = {"t": 30, "a": 2, "b": 10}
    assert suppress(values, [Relation("t", ("a", "b", "r"))], 5, unknown={"r"}) == {"a"}
    assert suppress({**values, "r": 18}, [Relation("t", ("a", "b", "r"))], 5) == {"a", "b"}


def test_a_chain_of_sums_is_caught() -> None:
    """No relation has exactly one hidden member, yet a is worked out: r1 = t1 − b (b shown) and then
    a = t2 − r1 − c. The check is exact, so one more cell of a's sums goes."""
    values = {"t1": 20, "b": 8, "t2": 40, "a": 3, "c": 25}
    relations = [Relation("t1", ("r1", "b")), Relation("t2", ("a", "r1", "c")), Relation("t3", ("r1", "x"))]
    assert recoverable(relations, {"a", "r1"}) == ["r1", "a"]
    hidden = suppress(values, relations, 5, unknown={"r1"})
    assert hidden == {"a", "c"} and recoverable(relations, hidden | {"r1"}) == ["r1"]  # r1 needs no protection


def test_the_headline_is_the_last_choice() -> None:
    """The network's not met would do as well as unit b's 9: b's goes, the network's stays."""
    values = {"n_met": 40, "n_not": 12, "n": 52, "a_not": 3, "b_not": 9}
    relations = [Relation("n", ("n_met", "n_not")), Relation("n_not", ("a_not", "b_not"))]
    assert suppress(values, relations, 5, keep=lambda k: k.startswith("n")) == {"a_not", "b_not"}
    # Only the headline can protect: it goes.
    assert suppress({"n_not": 3, "a_not": 3}, [Relation("n_not", ("a_not",))], 5, keep=lambda k: k == "n_not") == {
        "a_not", "n_not"}
