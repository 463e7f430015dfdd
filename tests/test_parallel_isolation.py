"""What the pytest-xdist workers of `make test` must not share (besides their test databases, which
pytest-django names per worker): the folder files are written to. Redis keys: kpis/tests/test_celery_worker.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_files_the_tests_write_go_to_a_folder_of_this_pytest_process(
        settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    media = Path(settings.MEDIA_ROOT)
    assert media.is_relative_to(tmp_path_factory.getbasetemp())  # one per xdist worker (popen-gw0, ...)
    assert not media.is_relative_to(settings.BASE_DIR)
    name = default_storage.save("exports/1-report.csv", ContentFile(b"x"))
    try:
        assert Path(default_storage.path(name)).is_relative_to(media)
    finally:
        default_storage.delete(name)
