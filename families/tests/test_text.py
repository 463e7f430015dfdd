"""The page text renderer: editors' text becomes a few safe elements, and never raw HTML."""

from __future__ import annotations

from families.text import render_text


def test_paragraphs_headings_and_lists() -> None:
    html = render_text("## Cooling\nIt lasts 72 hours.\n\nFirst line\nsecond line\n\n"
                       "- one\n- two\n\n1. first\n2. second")
    assert html == (
        "<h2>Cooling</h2><p>It lasts 72 hours.</p>\n"
        "<p>First line<br>second line</p>\n"
        '<ul class="nhsuk-list nhsuk-list--bullet"><li>one</li><li>two</li></ul>\n'
        '<ol class="nhsuk-list nhsuk-list--number"><li>first</li><li>second</li></ol>'
    )


def test_a_single_hash_is_still_a_second_level_heading_and_h3_is_kept() -> None:
    # The page title is the only <h1>: an editor's "#" must not add a second one.
    assert render_text("# Title") == "<h2>Title</h2>"
    assert render_text("### Small") == "<h3>Small</h3>"


def test_html_from_editors_is_escaped_not_rendered() -> None:
    html = render_text('<script>alert("x")</script>\n\n<a href="https://evil.example" onclick="x()">hi</a>')
    assert "<script" not in html and "<a href" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_bold_and_allowed_links() -> None:
    html = render_text("**Call 999** or see [NHS](https://www.nhs.uk/conditions/) and [events](/families/events/)")
    assert "<strong>Call 999</strong>" in html
    assert '<a class="nhsuk-link" href="https://www.nhs.uk/conditions/">NHS</a>' in html
    assert '<a class="nhsuk-link" href="/families/events/">events</a>' in html


def test_dangerous_link_schemes_stay_plain_text() -> None:
    for source in ("[x](javascript:alert(1))", "[x](data:text/html,hi)", "[x](//evil.example/)"):
        assert "<a " not in render_text(source), source


def test_quotes_in_a_link_cannot_break_out_of_the_attribute() -> None:
    html = render_text('[x](https://a.example/?q="onmouseover=y")')
    assert html == '<p><a class="nhsuk-link" href="https://a.example/?q=&quot;onmouseover=y&quot;">x</a></p>'


def test_empty_text() -> None:
    assert render_text("") == ""
