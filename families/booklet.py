"""The family booklet: the published website pages as one PDF, drawn by WeasyPrint from the same text.

Drawing it takes about a second of CPU (Pango lays out every page), and anyone on the internet may ask for
it, so it is drawn once per published content version and kept in storage (MEDIA_ROOT/families/booklet/):
every later request reads the stored file. The version is a hash of what the PDF is made from: each
published page's version, position and address, the booklet template's text and the site address that
links resolve against. Publishing a page, reordering pages or a release that changes the template gives a
new version, so the next request draws it again; older booklets are deleted when a new one is stored.

WeasyPrint is imported when a booklet is drawn, not at start-up: it loads Pango and HarfBuzz (system
libraries, stack.md §2) and its first render is slow, and nothing else in the app needs it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Final

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from families.models import PageVersion
from families.selectors import DEFAULT, published_pages
from units.models import Network, default_network_id

TEMPLATE: Final = "families/public/booklet_pdf.html"
DIRECTORY: Final = "families/booklet"
logger = logging.getLogger(__name__)


def booklet_html(network_id: int | None = DEFAULT) -> str:
    """The booklet of one network's website (default: the deployment's first network's; issue 18)."""
    network_id = default_network_id() if network_id == DEFAULT else network_id
    return render_to_string(TEMPLATE, {
        "site": Network.objects.filter(Q(pk=network_id)).first(), "pages": published_pages(network_id),
        "printed_on": timezone.localdate(),
    })


def render_pdf(base_url: str, network_id: int | None = DEFAULT) -> bytes:
    """Draw the booklet (slow: only when no stored copy of this version exists)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=booklet_html(network_id), base_url=base_url).write_pdf()
    return pdf


def content_version(base_url: str, network_id: int | None = DEFAULT) -> str:
    """What the network's booklet is drawn from, as a short hash (one query)."""
    network_id = default_network_id() if network_id == DEFAULT else network_id
    published = (PageVersion.objects.published().filter(Q(page__network_id=network_id))
                 .values_list("pk", "page__position", "page__slug"))
    source = getattr(get_template(TEMPLATE).template, "source", TEMPLATE)  # type: ignore[attr-defined]
    digest = hashlib.sha256(repr((list(published), source, base_url)).encode())
    return digest.hexdigest()[:24]


def stored_name(version: str) -> str:
    return f"{DIRECTORY}/family-booklet-{version}.pdf"


def booklet_pdf(base_url: str, network_id: int | None = DEFAULT) -> bytes:
    """The booklet of the network's published content: the stored copy, or drawn now and stored for the next
    request. Every network's current booklet is kept (the hash includes the network's pages)."""
    name = stored_name(content_version(base_url, network_id))
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    pdf = render_pdf(base_url, network_id)
    if not default_storage.exists(name):  # another worker may have drawn the same version meanwhile
        try:
            default_storage.save(name, ContentFile(pdf))
        except OSError:
            # A full or read-only MEDIA_ROOT: the families still get their booklet, drawn again next time.
            logger.warning("Family booklet %s could not be stored; served without keeping it", name, exc_info=True)
            return pdf
        _forget_other_versions(keep=name, base_url=base_url, network_id=network_id)
    return pdf


def _forget_other_versions(*, keep: str, base_url: str, network_id: int | None = DEFAULT) -> None:
    """Delete booklets of older content (or another site address): only the current one of each network is
    ever served, so the other networks' current booklets stay."""
    try:
        _directories, files = default_storage.listdir(DIRECTORY)
    except FileNotFoundError:
        return
    network_id = default_network_id() if network_id == DEFAULT else network_id
    current = {stored_name(content_version(base_url, other))
               for other in Network.objects.exclude(Q(pk=network_id)).values_list("pk", flat=True)}
    for file in files:
        name = f"{DIRECTORY}/{file}"
        if name != keep and name not in current:
            try:
                default_storage.delete(name)
            except OSError:  # another worker deleted it first
                logger.info("Old family booklet %s already gone", name)
