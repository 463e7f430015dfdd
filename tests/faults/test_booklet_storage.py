"""Storage faults under the family booklet (issue 12: drawn once per published content version, then served
from storage): a full or read-only `MEDIA_ROOT` must not take the public booklet down. The booklet is still
drawn and served (just not kept), and once the storage works again it is kept and served from there."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas
from families import booklet, services
from families.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> list[str]:
    settings.MEDIA_ROOT = tmp_path
    calls: list[str] = []
    real = booklet.render_pdf

    def counted(base_url: str, *network: int | None) -> bytes:  # the network's booklet (issue 18)
        calls.append(base_url)
        return real(base_url, *network)

    monkeypatch.setattr(booklet, "render_pdf", counted)
    return calls


@pytest.fixture
def published(people: Personas) -> Page:
    Page.objects.all().delete()
    return services.page_create(slug="cooling", position=1, title="Cooling treatment", summary="What to expect",
                                body="Cooling lasts 72 hours.", by=people.nurse, publish=True)


def _get() -> Any:
    return Client().get(reverse("families:booklet_pdf"))


@pytest.mark.usefixtures("published")
def test_storage_that_refuses_writes_still_serves_the_booklet(drawn: list[str], monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    def full(name: str, content: Any, max_length: int | None = None) -> str:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as broken:
        broken.setattr(default_storage, "save", full)
        with caplog.at_level(logging.WARNING, logger="families.booklet"):
            response = _get()
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert "could not be stored" in caplog.text
    # The storage works again: the next request keeps it, the one after reads it from storage.
    assert _get().status_code == 200
    assert _get().status_code == 200
    assert len(drawn) == 2
