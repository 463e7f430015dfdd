"""The public booklet PDF is drawn once per published content version and then served from storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas
from families import booklet, services
from families.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> list[str]:
    """Each booklet actually drawn (the real WeasyPrint render, counted)."""
    settings.MEDIA_ROOT = tmp_path
    calls: list[str] = []
    real = booklet.render_pdf

    def counted(base_url: str, *network: int | None) -> bytes:  # the network's booklet (issue 18)
        calls.append(base_url)
        return real(base_url, *network)

    monkeypatch.setattr(booklet, "render_pdf", counted)
    return calls


@pytest.fixture
def page(people: Personas) -> Page:
    Page.objects.all().delete()
    return services.page_create(slug="cooling", position=1, title="Cooling treatment", summary="What to expect",
                                body="Cooling lasts 72 hours.", by=people.nurse, publish=True)


def _download() -> bytes:
    response = Client().get(reverse("families:booklet_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_second_request_draws_nothing(page: Page, drawn: list[str], tmp_path: Path) -> None:
    first = _download()
    second = _download()
    assert len(drawn) == 1
    assert first == second and first.startswith(b"%PDF")
    assert [p.name for p in (tmp_path / "families" / "booklet").iterdir()] == [
        f"family-booklet-{booklet.content_version('http://testserver/')}.pdf"]


def test_a_newly_published_version_is_drawn_again_and_the_old_one_deleted(page: Page, drawn: list[str],
                                                                         people: Personas, tmp_path: Path) -> None:
    before = _download()
    version = services.page_save(page=page, title="Cooling treatment", summary="What to expect",
                                 body="Cooling lasts 72 hours, then your baby is warmed slowly.", note="",
                                 by=people.nurse)
    assert _download() == before and len(drawn) == 1  # a draft changes nothing the public sees
    services.page_publish(version=version, by=people.nurse)
    after = _download()
    _download()
    assert len(drawn) == 2 and after != before
    assert len(list((tmp_path / "families" / "booklet").iterdir())) == 1


def test_reordering_pages_is_a_new_version(page: Page, drawn: list[str], people: Personas) -> None:
    services.page_create(slug="going-home", position=2, title="Going home", summary="", body="Home.",
                         by=people.nurse, publish=True)
    _download()
    Page.objects.filter(slug="going-home").update(position=0)
    _download()
    assert len(drawn) == 2
