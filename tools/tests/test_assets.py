"""The front end committed in static/ is the build of frontend/ (tools/assets.py, frontend/build.mjs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tools import assets


def test_the_committed_front_end_is_the_build_of_the_current_sources() -> None:
    problems = assets.differences()
    assert not problems, "\n".join(["The front end in static/ is not the build of frontend/:", *problems,
                                    f"Fix: {assets.REBUILD}."])


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The sources and outputs of this checkout in a scratch folder, stamped as built, to be tampered with.
    (The first test proves that build.mjs and this module hash alike.)"""
    for name in [*assets.current_sources(), *assets.current_outputs()]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(assets.ROOT / name, tmp_path / name)
    stamp = {"sources": assets.current_sources(tmp_path), "outputs": assets.current_outputs(tmp_path)}
    (tmp_path / assets.STAMP).write_text(json.dumps(stamp, indent=2))
    return tmp_path


def test_an_untouched_copy_matches(copy: Path) -> None:
    assert assets.differences(copy) == []


def test_an_edited_stylesheet_source_is_named(copy: Path) -> None:
    with (copy / "frontend/_pathway.scss").open("a") as scss:
        scss.write(".app-new { color: red; }\n")
    assert assets.differences(copy) == ["frontend/_pathway.scss: source changed since the last build"]


def test_a_new_partial_and_a_hand_edited_output_are_named(copy: Path) -> None:
    (copy / "frontend/_board.scss").write_text(".app-board { margin: 0; }\n")
    with (copy / "static/nhsuk/nhsuk.css").open("a") as css:
        css.write(".by-hand { color: red; }\n")
    (copy / "static/vendor/htmx.min.js").unlink()
    assert assets.differences(copy) == [
        "frontend/_board.scss: new source, not in the last build",
        "static/nhsuk/nhsuk.css: built file changed since the last build",
        "static/vendor/htmx.min.js: built file missing",
    ]


def test_no_stamp_is_reported(copy: Path) -> None:
    (copy / assets.STAMP).unlink()
    assert assets.differences(copy) == ["frontend/build-stamp.json is missing"]
