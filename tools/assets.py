"""Is the front end that ships in git the build of the current sources? (Standard library only.)

`make assets` (frontend/build.mjs, Node) compiles frontend/*.scss with NHS.UK frontend into static/nhsuk,
copies htmx into static/vendor and axe-core into tests/browser/vendor, and records the SHA-256 of every
source and output in frontend/build-stamp.json. Those outputs are committed, so `make run` and `make test`
need no Node; this module tells when someone edited a source and forgot to rebuild, or edited an output by
hand. The file lists below follow build.mjs.

    python -m tools.assets      # prints what differs and exits 1, or says the build is current
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = "frontend/build-stamp.json"
BUILD_TOOLS = ("build.mjs", "package.json", "package-lock.json")
OUTPUT_DIRS = ("static/nhsuk", "static/vendor", "tests/browser/vendor")
REBUILD = "run `make assets` (needs Node.js and npm) and commit frontend/build-stamp.json with its outputs"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hashes(paths: list[Path], root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): _sha256(path) for path in sorted(paths)}


def current_sources(root: Path = ROOT) -> dict[str, str]:
    frontend = root / "frontend"
    paths = [*frontend.glob("*.scss"), *(frontend / name for name in BUILD_TOOLS if (frontend / name).exists())]
    return _hashes(paths, root)


def current_outputs(root: Path = ROOT) -> dict[str, str]:
    paths = [path for folder in OUTPUT_DIRS if (root / folder).is_dir()
             for path in (root / folder).rglob("*") if path.is_file()]
    return _hashes(paths, root)


def _compare(what: str, recorded: dict[str, str], found: dict[str, str]) -> list[str]:
    problems = [f"{path}: {what} changed since the last build" for path in sorted(recorded.keys() & found.keys())
                if recorded[path] != found[path]]
    problems += [f"{path}: new {what}, not in the last build" for path in sorted(found.keys() - recorded.keys())]
    problems += [f"{path}: {what} missing" for path in sorted(recorded.keys() - found.keys())]
    return problems


def differences(root: Path = ROOT) -> list[str]:
    """One line per file whose content differs from the last build's record; empty when all match."""
    stamp_path = root / STAMP
    if not stamp_path.exists():
        return [f"{STAMP} is missing"]
    stamp = json.loads(stamp_path.read_text())
    return (_compare("source", stamp["sources"], current_sources(root))
            + _compare("built file", stamp["outputs"], current_outputs(root)))


def main() -> int:
    problems = differences()
    if problems:
        print("The front end in static/ is not the build of frontend/:", *problems, f"Fix: {REBUILD}.",
              sep="\n  ", file=sys.stderr)
        return 1
    print("The front end in static/ is the build of frontend/ (frontend/build-stamp.json).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
