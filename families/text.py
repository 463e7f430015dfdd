"""A small, safe renderer for the text nurse specialists write on the family website.

No HTML from editors ever reaches a page: the source is escaped first, then a handful of plain-text
conventions become markup (no markdown/sanitiser package is pinned in requirements.txt, and these few
rules are all the pages need):

- a blank line separates paragraphs;
- `## Heading` → <h2>, `### Heading` → <h3> (the page title is the only <h1>, so `#` also gives <h2>);
- lines starting `- ` or `* ` → a bulleted list; `1. ` → a numbered list;
- `**bold**` → <strong>; `[text](https://…)` → a link, only for https/http/mailto/tel or a path on this site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_HEADING = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET = re.compile(r"^[-*]\s+(.+)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.+)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Applied to already-escaped text, so the URL cannot contain a raw quote or angle bracket.
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:|tel:|/(?!/))[^\s()]*)\)")


def _inline(text: str) -> str:
    """Escape a line, then turn **bold** and allowed links into markup."""
    html: str = escape(text)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _LINK.sub(r'<a class="nhsuk-link" href="\2">\1</a>', html)


def _blocks(source: str) -> Iterator[list[str]]:
    block: list[str] = []
    for raw in source.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if block:
                yield block
            block = []
        elif _HEADING.match(line) and block:
            # A heading always starts its own block, even without a blank line before it.
            yield block
            block = [line]
        else:
            block.append(line)
    if block:
        yield block


def _render_list(lines: list[str], pattern: re.Pattern[str], tag: str, css: str) -> str | None:
    items = [pattern.match(line) for line in lines]
    if not all(items):
        return None
    inner = "".join(f"<li>{_inline(m.group(1))}</li>" for m in items if m)
    return f'<{tag} class="{css}">{inner}</{tag}>'


def _render_block(lines: list[str]) -> str:
    heading = _HEADING.match(lines[0])
    if heading:
        level = max(2, len(heading.group(1)))
        head = f'<h{level}>{_inline(heading.group(2))}</h{level}>'
        return head + (_render_block(lines[1:]) if len(lines) > 1 else "")
    return (_render_list(lines, _BULLET, "ul", "nhsuk-list nhsuk-list--bullet")
            or _render_list(lines, _NUMBERED, "ol", "nhsuk-list nhsuk-list--number")
            or f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")


def render_text(source: str) -> SafeString:
    """HTML for the page body; safe because every character of the source was escaped first."""
    return mark_safe("\n".join(_render_block(block) for block in _blocks(source or "")))
