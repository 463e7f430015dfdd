"""core.audit.changes and display: the one old → new record of every audited write, in one UK format."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core import audit
from core.timeutil import LONDON
from units.models import Unit

BST = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)


@pytest.mark.parametrize(("value", "text"), [
    (None, ""),
    ("", ""),
    (BST, "14/05/2024 03:10"),
    (BST.astimezone(UTC), "14/05/2024 03:10"),  # the same instant in UTC: UK wall time
    (datetime(2024, 1, 10, 9, 45, tzinfo=LONDON), "10/01/2024 09:45"),
    (datetime(2024, 5, 14, 3, 10, 30, tzinfo=LONDON), "14/05/2024 03:10:30"),  # a second is never hidden
    (datetime(2024, 10, 27, 0, 30, tzinfo=UTC), "27/10/2024 01:30 BST"),  # the hour that happens twice...
    (datetime(2024, 10, 27, 1, 30, tzinfo=UTC), "27/10/2024 01:30 GMT"),  # ...says which
    (datetime(2024, 3, 31, 1, 30, tzinfo=UTC), "31/03/2024 02:30"),  # after the spring gap
    (date(2024, 5, 14), "14/05/2024"),
    (Decimal("6.95"), "6.95"),
    (2, "2"),
    (True, "yes"),
    (False, "no"),
    (["Avoid overcooling", "Document times"], "Avoid overcooling, Document times"),
    ({"doctor": 2, "nurse": 4}, "doctor 2, nurse 4"),
])
def test_display(value: object, text: str) -> None:
    assert audit.display(value) == text


@pytest.mark.django_db
def test_display_names_a_unit_by_its_ods_code_and_a_person_by_username(people: object) -> None:
    from django.contrib.auth import get_user_model

    assert audit.display(Unit.objects.get(ods_code="RWG02")) == "RWG02"
    assert audit.display(get_user_model().objects.get(username="nina")) == "nina"


def test_changes_lists_only_what_changed_old_then_new() -> None:
    before = {"hie_grade": 2, "ph": Decimal("7.0"), "note": None, "cooled": BST, "unit": "RGT01"}
    after = {"hie_grade": 3, "ph": Decimal("7.00"), "note": "", "cooled": BST.astimezone(UTC), "unit": "RM102"}
    assert audit.changes(before, after) == {"hie_grade": ["2", "3"], "unit": ["RGT01", "RM102"]}


def test_changes_of_a_creation_a_deletion_and_named_fields() -> None:
    assert audit.changes({}, {"title": "Report", "notes": "", "published": False}) == {
        "title": ["", "Report"], "published": ["", "no"]}
    assert audit.changes({"title": "Report", "year": 2024}, {}) == {"title": ["Report", ""], "year": ["2024", ""]}
    assert audit.changes({"a": 1, "b": 1}, {"a": 2, "b": 2}, fields=["b"]) == {"b": ["1", "2"]}


def test_a_changed_second_is_a_change() -> None:
    later = BST.replace(second=30)
    assert audit.changes({"at": BST}, {"at": later}) == {"at": ["14/05/2024 03:10", "14/05/2024 03:10:30"]}


def test_field_names_are_the_verbose_names_never_the_code_names() -> None:
    from pathway.models import Case

    assert audit.field_names(Case, ["hie_grade", "referral_datetime", "not_a_field"]) == (
        "HIE grade, time of referral call, not_a_field")
