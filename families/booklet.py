"""The family booklet: the published website pages as one PDF, drawn by WeasyPrint from the same text.

WeasyPrint is imported when a booklet is drawn, not at start-up: it loads Pango and HarfBuzz (system
libraries, stack.md §2) and its first render is slow, and nothing else in the app needs it.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from families.selectors import published_pages


def booklet_html() -> str:
    return render_to_string("families/public/booklet_pdf.html", {
        "pages": published_pages(),
        "printed_on": timezone.localdate(),
    })


def booklet_pdf(base_url: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=booklet_html(), base_url=base_url).write_pdf()
    return pdf
