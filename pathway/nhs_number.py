"""NHS number Modulus 11 check (NHS Data Dictionary: weights 10..2, check digit 11 − remainder)."""

from django.core.exceptions import ValidationError


def is_valid_nhs_number(value: str) -> bool:
    # isascii(): str.isdigit() is also true for other scripts' digits and for superscripts ("²"),
    # which would pass the check or crash int().
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A computed 10 means the number can never be valid.
    return check != 10 and check == int(value[9])


def validate_nhs_number(value: str) -> None:
    if not is_valid_nhs_number(value):
        raise ValidationError(
            "NHS number must be 10 digits passing the Modulus 11 check", code="nhs_number_check"
        )
