"""Issue 12's web hardening: DEBUG off unless asked for, the development secret refused in production,
no-store on everything that may hold patient data, and export files readable by the service's user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from config.settings import DEV_SECRET
from core.files import open_private, private_directory
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from reporting.models import ExportJob

PRODUCTION_SECRET = "x" * 30 + "a-long-random-production-secret-1234567890"


def _settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess[str]:
    """Start Django with exactly this environment (no DEBUG from the suite's own), print DEBUG."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    probe = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_debug_is_off_when_the_environment_does_not_say() -> None:
    result = _settings_in_a_new_process(SECRET_KEY=PRODUCTION_SECRET, ALLOWED_HOSTS="pathway.example.nhs.uk")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG False"


def test_without_debug_or_a_secret_the_app_refuses_to_start_and_says_how_to_run_locally() -> None:
    result = _settings_in_a_new_process(ALLOWED_HOSTS="pathway.example.nhs.uk")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr and "DEBUG=true" in result.stderr


def test_with_debug_false_the_development_secret_is_refused() -> None:
    result = _settings_in_a_new_process(DEBUG="false", SECRET_KEY=DEV_SECRET, ALLOWED_HOSTS="pathway.example.nhs.uk")
    assert result.returncode != 0
    assert "SECRET_KEY is the development secret" in result.stderr


def test_a_local_copy_runs_with_debug_true_and_the_development_secret() -> None:
    result = _settings_in_a_new_process(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG True"


def test_make_run_sets_debug_for_the_local_demo() -> None:
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "export DEBUG ?= true" in makefile


# --- Cache-Control ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_data_pages_and_api_answers_are_never_stored(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(case_ref="EOE-NOSTORE"), by=people.nurse)
    client = Client()
    client.force_login(people.nurse)
    for url in [reverse("pathway:case_list"), reverse("pathway:case_detail", args=[case.pk]),
                reverse("pathway:case_history", args=[case.pk]), reverse("kpis:overview"), "/api/v1/cases/",
                f"/api/v1/cases/{case.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    # An API answer without a signed-in user (here: refused) is not kept either.
    assert "no-store" in Client().get("/api/v1/cases/")["Cache-Control"]


@pytest.mark.django_db
def test_the_public_family_site_stays_cacheable(network: object) -> None:
    response = Client().get(reverse("families:home"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Owner-only export files -------------------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (what a careless service file gives): the modes must not depend on it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_directory_and_file_modes(tmp_path: Path, open_umask: None) -> None:
    loose = tmp_path / "exports"
    loose.mkdir(mode=0o755)
    assert _mode(private_directory(loose)) == 0o700
    target = loose / "old.csv"
    target.write_text("old")
    target.chmod(0o644)
    with open_private(target) as out:
        out.write(b"new")
    assert _mode(target) == 0o600 and target.read_text() == "new"


@pytest.mark.django_db
def test_background_export_files_are_owner_only(people: Personas, settings: Any, tmp_path: Path, open_umask: None,
                                                django_capture_on_commit_callbacks: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.case_create(values=cooled_case_values(case_ref="EOE-PERM"), by=people.nurse)
    client = Client()
    client.force_login(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:case_export"), {"reason": ""})
    job = ExportJob.objects.get()
    assert job.status == "succeeded"
    path = Path(job.file.path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


@pytest.mark.django_db
def test_export_command_files_are_owner_only(people: Personas, tmp_path: Path, open_umask: None) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-PERM2"), by=people.nurse)
    target = tmp_path / "cases.csv"
    call_command("export_cases", str(target), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert _mode(target) == 0o600 and "EOE-PERM2" in target.read_text()


@pytest.mark.django_db
def test_the_backup_file_is_owner_only(people: Personas, tmp_path: Path, open_umask: None) -> None:
    # backup_data writes every table, identifiable ones included: the most sensitive file the app makes.
    target = tmp_path / "pathway.jsonl.gz"
    call_command("backup_data", str(target), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert _mode(target) == 0o600
    call_command("restore_data", str(target), "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_files_kept_in_storage_are_owner_only(settings: Any, tmp_path: Path, open_umask: None) -> None:
    # Published board report PDFs and the family booklet are saved through Django's storage.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    for name in ("published/report-1-v1.pdf", "families/booklet/family-booklet-x.pdf"):
        path = Path(default_storage.path(default_storage.save(name, ContentFile(b"%PDF-1.7"))))
        assert _mode(path) == 0o600, name
        assert _mode(path.parent) == 0o700, name
