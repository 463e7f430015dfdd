"""NHS number Modulus 11 check (NHS Data Dictionary "NHS Number").

Worked example, 943 476 5919: 9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2 = 299; 299 mod 11 = 2;
11 − 2 = 9, the last digit. 943 476 5870: the sum is 308, 308 mod 11 = 0, 11 − 0 = 11, which stands for 0.
123 456 789x: the sum is 210, 210 mod 11 = 1, 11 − 1 = 10, which no digit can be: never valid.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway.nhs_number import is_valid_nhs_number, validate_nhs_number


def reference_check_digit(first_nine: str) -> int | None:
    """Independent Modulus 11 (weights 10 down to 2); None when the remainder gives 10."""
    total = sum(int(digit) * (10 - position) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


@pytest.mark.parametrize("number", ["9434765919", "9434765870", "4010232137", "9999999999", "0000000019"])
def test_valid_numbers_pass(number: str) -> None:
    assert reference_check_digit(number[:9]) == int(number[9])  # the table itself is right
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "9434765910", "9434765871", "4010232138", "0000000010"])
def test_wrong_check_digit_fails(number: str) -> None:
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize("last", "0123456789")
def test_check_digit_ten_is_never_valid(last: str) -> None:
    assert reference_check_digit("123456789") is None
    assert not is_valid_nhs_number("123456789" + last)


@pytest.mark.parametrize(
    "number",
    [
        "943476591a",
        "943 476 5919",
        "943-476-5919",
        "94347 5919",
        "+943476591",
        "٩٤٣٤٧٦٥٩١٩",  # Arabic-Indic digits of a valid number
        "943476591²",  # superscript two: isdigit() but not a digit int() reads
        "９４３４７６５９１９",  # full-width digits
    ],
)
def test_non_digits_fail(number: str) -> None:
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["", "943476591", "94347659190", "09434765919", "9"])
def test_wrong_length_fails(number: str) -> None:
    assert not is_valid_nhs_number(number)


def test_validator_raises_with_a_readable_message() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number("9434765918")
    assert caught.value.code == "nhs_number_check"
    assert "Modulus 11" in caught.value.messages[0]


VALID_NUMBERS = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(lambda nine: (nine, reference_check_digit(nine)))
    .filter(lambda pair: pair[1] is not None)
    .map(lambda pair: f"{pair[0]}{pair[1]}")
)


@settings(database=None)
@given(VALID_NUMBERS)
def test_any_number_with_the_right_check_digit_is_valid(number: str) -> None:
    assert is_valid_nhs_number(number)


@settings(database=None)
@given(VALID_NUMBERS, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_a_valid_number_makes_it_invalid(number: str, position: int, shift: int) -> None:
    changed = str((int(number[position]) + shift) % 10)
    typo = number[:position] + changed + number[position + 1:]
    assert typo != number
    assert not is_valid_nhs_number(typo)
