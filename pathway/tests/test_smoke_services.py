import pytest

from core.testing.factories import cooled_case_values
from pathway import services


@pytest.mark.django_db
def test_create_valid_cooled_case_has_no_flags(people):
    case = services.case_create(values=cooled_case_values(), by=people.nurse)
    assert case.dq_flags == []
    assert case.stage == "discharged"
    assert case.version == 1
