"""An import row older than its case's last change does not silently put the old value back: the whole file is
refused naming the newer change (who, when), unless a nurse specialist ticks "overwrite newer changes", which
is audited (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.testing.personas import Personas
from pathway import csv_io, services
from pathway.models import Case
from pathway.tests.test_csv_io import csv_text, row

pytestmark = pytest.mark.django_db
OLD_FILE = csv_text(row(case_ref="HIE-0001", apgar_10="4"), row(case_ref="HIE-0002"))


def _name(user: Any) -> str:
    return user.get_full_name() or user.username


@pytest.fixture
def changed_since(people: Personas) -> Case:
    """HIE-0001 imported with Apgar 4, then corrected to 6 on its page by the consultant-led clinician."""
    assert csv_io.import_file(csv_text(row(case_ref="HIE-0001", apgar_10="4")), by=people.nurse).ok
    case = Case.objects.get(case_ref="HIE-0001")
    return services.case_update(case=case, values={"apgar_10": 6}, expected_version=case.version,
                                by=people.clinician)


def test_an_older_row_refuses_the_whole_file_naming_the_newer_change(people: Personas, changed_since: Case) -> None:
    result = csv_io.import_file(OLD_FILE, by=people.nurse)
    event = AuditEvent.objects.filter(object_type="pathway.case", action="update").get()
    when = f"{timezone.localtime(event.at):%H:%M on %d/%m/%Y}"
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [(
        2, "apgar_10", "4",
        f"This row is older than the case's last change: Apgar at 10 minutes was changed from 4 to 6 by "
        f"{_name(people.clinician)} at {when}, and this row would put the old value back. Correct the file, or a "
        "nurse specialist may tick 'Overwrite newer changes'")]
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 6
    assert not Case.objects.filter(case_ref="HIE-0002").exists()  # all or nothing


def test_a_newer_row_and_an_unchanged_one_import(people: Personas, changed_since: Case) -> None:
    result = csv_io.import_file(csv_text(row(case_ref="HIE-0001", apgar_10="7")), by=people.nurse)
    assert result.ok and result.updated == 1
    assert csv_io.import_file(csv_text(row(case_ref="HIE-0001", apgar_10="7")), by=people.nurse).unchanged == 1


def test_a_nurse_specialist_may_overwrite_newer_changes_audited(people: Personas, changed_since: Case) -> None:
    result = csv_io.import_file(OLD_FILE, by=people.nurse, overwrite_newer=True)
    assert result.ok and (result.created, result.updated) == (1, 1)
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 4
    event = AuditEvent.objects.get(object_type="pathway.case_import")
    assert event.actor == people.nurse and event.summary == "Import overwrote newer changes of 1 case"
    assert event.changes["records"] == ["HIE-0001"]
    assert event.changes["fields"][0][:2] == ["HIE-0001", "apgar_10"]


def test_no_one_else_may_overwrite(people: Personas, changed_since: Case) -> None:
    for user in (people.admin_user, people.clinician, None):
        with pytest.raises(PermissionDenied):
            csv_io.import_file(OLD_FILE, by=user, overwrite_newer=True)
    with pytest.raises(CommandError, match="nurse specialist"):
        call_command("import_cases", "-", "--overwrite-newer")
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 6


def test_the_upload_page_offers_the_tick_to_nurse_specialists_only(people: Personas, changed_since: Case) -> None:
    nurse, admin = Client(), Client()
    nurse.force_login(people.nurse)
    admin.force_login(people.admin_user)
    url = reverse("pathway:import_upload")
    assert "Overwrite newer changes" in nurse.get(url).content.decode()
    assert "Overwrite newer changes" not in admin.get(url).content.decode()

    def upload(client: Client, **extra: str) -> Any:
        return client.post(url, {"csv_file": SimpleUploadedFile("old.csv", OLD_FILE.encode()), **extra})

    refused = upload(nurse)
    assert refused.status_code == 400 and "older than the case&#x27;s last change" in refused.content.decode()
    assert upload(admin, overwrite_newer="1").status_code == 403
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 6
    assert upload(nurse, overwrite_newer="1").status_code == 200
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 4
