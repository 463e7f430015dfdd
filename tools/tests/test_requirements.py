"""The hash-locked requirements (`make lock`) follow the human-edited pins in requirements*.txt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.doctor import ROOT, locked_versions

PAIRS = [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock"),
         ("requirements-loadtest.txt", "requirements-loadtest.lock")]


def pins(path: Path) -> dict[str, str]:
    """{name: version} of the `name==version` lines of a requirements file and the files it includes (-r)."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        elif "==" in line:
            name, version = line.split("==")
            found[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version.strip()
    return found


@pytest.mark.parametrize(("pinned", "lock"), PAIRS)
def test_every_pin_is_in_its_lock_at_the_same_version(pinned: str, lock: str) -> None:
    locked = locked_versions(ROOT / lock)
    wrong = {name: (version, locked.get(name)) for name, version in pins(ROOT / pinned).items()
             if locked.get(name) != version}
    assert not wrong, f"{pinned} and {lock} disagree (pinned, locked): {wrong}; run `make lock`"


@pytest.mark.parametrize("lock", [lock for _, lock in PAIRS])
def test_every_locked_package_has_a_hash(lock: str) -> None:
    entries = re.findall(r"^([A-Za-z0-9][^\s=]*)==\S+.*((?:\n .*)*)", (ROOT / lock).read_text(), re.MULTILINE)
    unhashed = [name for name, continuation in entries if "--hash=sha256:" not in continuation]
    assert len(entries) == len(locked_versions(ROOT / lock)) > 50 and not unhashed


def test_the_locks_agree_on_every_package_they_share() -> None:
    production, development, loadtest = (locked_versions(ROOT / lock) for _, lock in PAIRS)
    assert {name: version for name, version in development.items() if name in production} == production
    assert {name: development[name] for name in loadtest.keys() & development.keys()} == {
        name: loadtest[name] for name in loadtest.keys() & development.keys()}


def test_unused_packages_are_not_pinned() -> None:
    """Nothing imports django-celery-beat or factory-boy; locust is the load test's alone."""
    everything = pins(ROOT / "requirements-dev.txt")
    assert not {"django-celery-beat", "factory-boy", "locust"} & everything.keys()
    assert "locust" in pins(ROOT / "requirements-loadtest.txt")
