"""What every chart returns, and the one place that turns a matplotlib figure into inline SVG.

Charts are drawn on a `matplotlib.figure.Figure` (never pyplot: no global figure registry) and saved as
SVG with a fixed hash salt and `svg.fonttype="none"`, so the same input gives byte-identical output and
labels stay real, selectable and searchable text (no embedded fonts or glyph paths). rcParams are
process-global, so rendering holds a lock for the whole draw-and-save; Celery prefork workers are
separate processes and never wait on each other.

The SVG is inlined into HTML pages and WeasyPrint PDFs alike, so it is rewritten here: no XML prolog,
no fixed width or height (it scales to its container; the viewBox keeps the aspect ratio), `role="img"`
with an `aria-labelledby` <title>, and every id prefixed with the chart's own id so that several charts
on one page do not clash (matplotlib numbers its groups `figure_1`, `axes_1`… in every file).
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import Final

import matplotlib

matplotlib.use("Agg")  # never a GUI backend in web or Celery workers

from matplotlib.axes import Axes
from matplotlib.figure import Figure

# NHS.UK colour palette (service-manual.nhs.uk/design-system/styles/colour).
NHS_BLUE: Final = "#005eb8"
NHS_BLACK: Final = "#212b32"
NHS_DARK_GREY: Final = "#425563"
NHS_RED: Final = "#d5281b"
NHS_GREEN: Final = "#007f3b"
NHS_WARM_YELLOW: Final = "#ffb81c"

FONT_STACK: Final = ["Arial", "Liberation Sans", "DejaVu Sans"]

_RC: Final = {
    "svg.hashsalt": "kpis.charts",  # clip-path and marker ids come from this salt, not from a random one
    "svg.fonttype": "none",
    "text.parse_math": False,  # a "$" in a unit name must not switch to mathtext
    "font.family": "sans-serif",
    "font.sans-serif": FONT_STACK,
    "font.size": 10,
    "axes.edgecolor": NHS_DARK_GREY,
    "axes.labelcolor": NHS_DARK_GREY,
    "axes.titlecolor": NHS_BLACK,
    "xtick.color": NHS_DARK_GREY,
    "ytick.color": NHS_DARK_GREY,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
# Date and Creator would make the output change with the clock and the matplotlib version.
_NO_METADATA: Final = {"Date": None, "Creator": None, "Format": None, "Type": None}
_RENDER_LOCK = threading.Lock()

_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_GROUP_ID = re.compile(r'<g id="[^"]*"')
_ID = re.compile(r'\bid="')
_REFERENCE = re.compile(r'(xlink:href="#|url\(#)')


@dataclass(frozen=True)
class DataTable:
    """The accessible data table pages render under the chart: every cell already formatted."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str  # inline-able <svg> element; generated here, so templates may mark it safe
    caption: str  # one sentence: what it shows and its n
    table: DataTable


def make_chart(*, kind: str, title: str, caption: str, table: DataTable,
               draw: Callable[[Figure], None], size: tuple[float, float],
               tooltips: Mapping[str, Sequence[str]] | None = None) -> Chart:
    """Draw with `draw` on a fresh figure of `size` inches and wrap the result as a Chart.

    `tooltips` maps a scatter collection's gid (`artist.set_gid`) to the texts a pointer hovering over each of
    its points shows, in point order (an SVG <title>, which screen readers also read): funnel points name
    their unit this way.
    """
    svg_id = chart_id(kind, title, table)
    with _rendering():
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    svg = with_tooltips(buffer.getvalue(), tooltips or {})
    return Chart(title=title, svg=inline_svg(svg, svg_id=svg_id, label=f"{kind}: {title}"),
                 caption=caption, table=table)


_USE = re.compile(r"<use [^>]*/>")


def with_tooltips(raw: str, tooltips: Mapping[str, Sequence[str]]) -> str:
    """Give each point of the collections drawn with these gids a <title>, in the order the points were
    given (one scatter call draws many points as <use> elements; a title per point names each)."""
    for gid, texts in tooltips.items():
        opening = f'<g id="{escape(gid)}">'
        start = raw.find(opening)
        if start < 0:
            raise ValueError(f"No artist with gid {gid!r} was drawn")
        raw = raw[:start] + "<g>" + _title_points(raw[start + len(opening):], texts)
    return raw


def _title_points(svg: str, texts: Sequence[str]) -> str:
    """Wrap the first len(texts) <use> elements of `svg` each with its title."""
    titles = iter(texts)

    def titled(use: re.Match[str]) -> str:
        return f'<g class="app-chart-point"><title>{escape(next(titles))}</title>{use.group(0)}</g>'

    return _USE.sub(titled, svg, count=len(texts))


def not_enough_data_chart(*, kind: str, title: str, caption: str, table: DataTable) -> Chart:
    """A small placeholder with the same accessible structure, drawn without matplotlib."""
    svg_id = chart_id(kind, title, table)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 60" version="1.1" id="{svg_id}" '
        f'role="img" aria-labelledby="{svg_id}-title">'
        f'<title id="{svg_id}-title">{escape(f"{kind}: {title}")}</title>'
        f'<rect x="0.5" y="0.5" width="599" height="59" fill="#ffffff" stroke="{NHS_DARK_GREY}"/>'
        f'<text x="16" y="36" fill="{NHS_DARK_GREY}" font-size="16" '
        f'font-family="{", ".join(FONT_STACK)}, sans-serif">Not enough data to draw this chart</text>'
        "</svg>"
    )
    return Chart(title=title, svg=svg, caption=caption, table=table)


def chart_id(kind: str, title: str, table: DataTable) -> str:
    """A stable id, different for different charts, so ids inside several inline SVGs never clash."""
    digest = hashlib.blake2s(repr((kind, title, table)).encode(), digest_size=5).hexdigest()
    return f"chart-{digest}"


def inline_svg(raw: str, *, svg_id: str, label: str) -> str:
    """Rewrite matplotlib's SVG file for inlining (see the module docstring)."""
    svg = raw[raw.index("<svg"):]
    svg = _GROUP_ID.sub("<g", svg)  # group ids are never referenced, and repeat across charts
    svg = _ID.sub(f'id="{svg_id}-', svg)
    svg = _REFERENCE.sub(rf"\g<1>{svg_id}-", svg)
    # matplotlib's default-stroke rule would otherwise apply to every SVG on the page.
    svg = svg.replace("*{", f"#{svg_id} *{{", 1)
    root = _ROOT.search(svg)
    if root is None:
        raise ValueError("matplotlib produced no <svg> element")
    viewbox = _VIEWBOX.search(root.group(0))
    if viewbox is None:
        raise ValueError("matplotlib's <svg> has no viewBox")
    new_root = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{viewbox.group(1)}" version="1.1" id="{svg_id}" role="img" aria-labelledby="{svg_id}-title">'
        f'<title id="{svg_id}-title">{escape(label)}</title>'
    )
    return svg[:root.start()] + new_root + svg[root.end():].rstrip() + "\n"


@contextmanager
def _rendering() -> Iterator[None]:
    # matplotlib types rc_context's keys as literals of its own; these are valid ones.
    with _RENDER_LOCK, matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        yield


def set_title(axes: Axes, title: str) -> None:
    """The chart's title above the plot, left-aligned, wrapped to the figure's width so it is never cut off
    (about 12 characters of 11-point text per inch, less the inch the y axis takes)."""
    width = max(30, int((axes.get_figure().get_figwidth() - 1.0) * 12))  # type: ignore[union-attr]
    axes.set_title("\n".join(textwrap.wrap(title, width)), loc="left", fontsize=11)


def legend_below(figure: Figure, axes: Axes) -> None:
    """Legend under the plot, outside it, so it never hides a point."""
    handles, labels = axes.get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(3, len(handles)), fontsize=8)


def percent(value: float, places: int = 1) -> str:
    return f"{value * 100:.{places}f}%"


def number(value: float) -> str:
    """Up to one decimal place, without a trailing ".0" (minutes, counts)."""
    return f"{value:.1f}".removesuffix(".0")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
