"""What this machine has, and lacks, for `make run` and `make test`. Standard library only: it runs before
the virtualenv exists, on the machine's own Python.

    python3 -m tools.doctor                  # `make doctor`: everything, present and missing
    python3 -m tools.doctor --require test   # `make test`, first: one message naming the missing system
                                             # packages and the apt-get line that installs them; exit 1

`make run` needs only Python 3.11 with venv (and the front end committed in static/). `make test` also needs
Debian's Chromium (browser tests), Pango and HarfBuzz (WeasyPrint's PDFs) and the Liberation fonts (the
NHS.UK font stack's offline fallback). Node.js is optional: only `make assets` uses it.
"""

from __future__ import annotations

import argparse
import ctypes.util
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tools import assets

ROOT = assets.ROOT
VENV_PY = ROOT / ".venv" / "bin" / "python"
LOCK = ROOT / "requirements-dev.lock"
OK, MISSING, WARN, OPTIONAL = "ok", "MISSING", "CHECK", "--"
# Shared libraries WeasyPrint opens (weasyprint/text/ffi.py), by the Debian package that provides them.
LIBRARIES = {"pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0", "harfbuzz": "libharfbuzz0b",
             "harfbuzz-subset": "libharfbuzz-subset0", "fontconfig": "libfontconfig1"}
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")  # where tests/browser/conftest.py looks when PATH has none
TEST_PACKAGES = ("chromium", "fonts-liberation", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")


@dataclass
class Check:
    name: str
    status: str
    detail: str
    packages: tuple[str, ...] = ()  # the Debian packages that would fix a MISSING


def _run(*command: str, timeout: float = 20) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_python(python: str) -> Check:
    path = shutil.which(python)
    version = _run(path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])") if path else None
    if not (version and version.returncode == 0):
        return Check("Python 3.11", MISSING, f"{python} not found (PYTHON={python})", ("python3.11",))
    found = version.stdout.strip()
    status = OK if found.startswith("3.11.") else MISSING
    return Check("Python 3.11", status, f"{path} ({found})", () if status == OK else ("python3.11",))


def check_venv(python: str) -> Check:
    if VENV_PY.exists():
        return _venv_packages()
    path = shutil.which(python)
    if not path:
        return Check("virtualenv", MISSING, ".venv not made: no Python to make it with", ("python3.11-venv",))
    with tempfile.TemporaryDirectory() as scratch:
        made = _run(path, "-m", "venv", scratch, timeout=120)
    if made and made.returncode == 0:
        return Check("virtualenv", OPTIONAL, ".venv not made yet: `make run` or `make test` makes it")
    return Check("virtualenv", MISSING, f"{python} -m venv fails (Debian packages venv apart)", ("python3.11-venv",))


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """{name: version} of every `name==version` line of a pip-compile lock file."""
    pins = {}
    for line in lock.read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


_INSTALLED = """
import json, sys
from importlib import metadata
found = {}
for name in json.loads(sys.argv[1]):
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        found[name] = None
print(json.dumps(found))
"""


def _venv_packages() -> Check:
    import json

    pins = locked_versions()
    result = _run(str(VENV_PY), "-c", _INSTALLED, json.dumps(sorted(pins)))
    if not (result and result.returncode == 0):
        return Check("virtualenv", MISSING, ".venv/bin/python does not run: `make clean`, then `make test`")
    installed = json.loads(result.stdout)
    wrong = [f"{name} {installed[name] or 'missing'} (lock {version})" for name, version in sorted(pins.items())
             if installed[name] != version]
    detail = f".venv: {len(pins) - len(wrong)} of {len(pins)} locked packages at the locked version"
    if wrong:
        shown = ", ".join(wrong[:4]) + (f" and {len(wrong) - 4} more" if len(wrong) > 4 else "")
        return Check("virtualenv", WARN, f"{detail}; {shown}: `make install` brings them in line")
    return Check("virtualenv", OK, detail)


def check_front_end() -> Check:
    problems = assets.differences()
    if not problems:
        return Check("front end", OK, "static/nhsuk, static/vendor: the build of frontend/ (build-stamp.json)")
    return Check("front end", WARN, f"{problems[0]}{' and more' if len(problems) > 1 else ''}: {assets.REBUILD}")


def check_chromium() -> Check:
    path = shutil.which("chromium") or (str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else None)
    if not path:
        return Check("Chromium", MISSING, "not found: the browser tests need Debian's chromium", ("chromium",))
    version = _run(path, "--version")
    return Check("Chromium", OK, f"{path} ({version.stdout.strip() if version else 'version unknown'})")


def check_pango() -> Check:
    found = {name: ctypes.util.find_library(name) for name in LIBRARIES}
    missing = tuple(LIBRARIES[name] for name, library in found.items() if not library)
    if missing:
        return Check("Pango and HarfBuzz", MISSING, "not found: " + ", ".join(missing) + " (PDF reports)", missing)
    return Check("Pango and HarfBuzz", OK, ", ".join(str(library) for library in found.values()))


def check_fonts() -> Check:
    fonts = glob.glob("/usr/share/fonts/**/LiberationSans-Regular.ttf", recursive=True)
    if not fonts:
        return Check("Liberation fonts", MISSING, "not found (pages and PDFs fall back to them)", ("fonts-liberation",))
    return Check("Liberation fonts", OK, str(Path(fonts[0]).parent))


def check_node() -> Check:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        return Check("Node.js and npm", OPTIONAL, "not found: only `make assets` (rebuilding the front end) needs them")
    version = _run(node, "--version")
    return Check("Node.js and npm", OK, f"{node} ({version.stdout.strip() if version else '?'}), for `make assets`")


def _answers(host: str, port: int, greeting: bytes = b"") -> str | None:
    """None when a TCP server answers at host:port (and replies to `greeting`), else why not."""
    try:
        with socket.create_connection((host, port), timeout=3) as connection:
            if greeting:
                connection.sendall(greeting)
                if not connection.recv(64):
                    return "closed the connection"
    except OSError as error:
        return str(error)
    return None


_CONNECT = """
import sys
url, kind = sys.argv[1], sys.argv[2]
if kind == "postgresql":
    import psycopg
    psycopg.connect(url, connect_timeout=3).close()
else:
    import redis
    redis.Redis.from_url(url, socket_connect_timeout=3).ping()
"""


def _server_error(url: str, kind: str) -> str | None:
    """None when a server answers at the URL's host and port (Redis: to a PING), else why not."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or (5432 if kind == "postgresql" else 6379)
    return _answers(host, port, b"" if kind == "postgresql" else b"PING\r\n")


def _session_error(url: str, kind: str) -> str | None:
    """None when the service accepts a session with the URL's credentials and database (the venv's own
    client), else the client's last line."""
    result = _run(str(VENV_PY), "-c", _CONNECT, url, kind)
    if result is None:
        return "no answer within 20 s"
    return None if result.returncode == 0 else (result.stderr.strip().splitlines() or ["failed"])[-1]


def check_service(variable: str, kind: str, unset: str, *, session: bool = True) -> Check:
    """A server at the URL in `variable`; with `session` (and the venv made) also a sign-in to it."""
    url = os.environ.get(variable, "")
    name = {"postgresql": "PostgreSQL", "redis": "Redis"}[kind] + f" ({variable})"
    if not url:
        return Check(name, OPTIONAL, f"not set: {unset}")
    parts = urlsplit(url)  # shown without user or password
    where = f"{parts.hostname}:{parts.port or (5432 if kind == 'postgresql' else 6379)}{parts.path}"
    error = _server_error(url, kind)
    if error:
        return Check(name, MISSING, f"{where}: no server answers ({error}); start it, or unset {variable}")
    error = _session_error(url, kind) if session and VENV_PY.exists() else None
    if error:
        # e.g. the named database not created yet: the tests make their own test_ database, so not MISSING.
        return Check(name, WARN, f"{where}: the server answers, but {error}")
    return Check(name, OK, f"{where} answers")


def all_checks(python: str) -> list[Check]:
    return [check_python(python), check_venv(python), check_front_end(), check_chromium(), check_pango(),
            check_fonts(), check_node(),
            check_service("DATABASE_URL", "postgresql", "SQLite (db.sqlite3); CI uses PostgreSQL"),
            check_service("REDIS_URL", "redis", "Celery runs tasks inline; the real-worker tests are skipped"),
            check_service("CACHE_URL", "redis", "each process keeps its own cache")]


def test_checks(python: str) -> list[Check]:
    """What `make test` cannot do without, checked before it installs anything."""
    return [check_python(python), check_chromium(), check_pango(), check_fonts(),
            check_service("DATABASE_URL", "postgresql", "SQLite", session=False),
            check_service("REDIS_URL", "redis", "inline Celery", session=False)]


def install_line(checks: list[Check]) -> str:
    packages = sorted({package for check in checks if check.status == MISSING for package in check.packages})
    return f"sudo apt-get install {' '.join(packages)}" if packages else ""


def report(checks: list[Check]) -> str:
    lines = ["What this machine has for `make run` and `make test`:", ""]
    lines += [f"  {check.status:8} {check.name:28} {check.detail}" for check in checks]
    lines += ["", "`make run` needs Python 3.11 with venv; `make test` also needs Chromium, Pango and HarfBuzz and",
              "the Liberation fonts (Debian: " + " ".join(TEST_PACKAGES) + ")."]
    install = install_line(checks)
    if install:
        lines += ["To install what is missing:", f"  {install}"]
    return "\n".join(lines)


def refusal(checks: list[Check]) -> str:
    """The one message `make test` gives before doing anything, when something it needs is missing."""
    missing = [check for check in checks if check.status == MISSING]
    lines = ["`make test` cannot run on this machine yet. Besides Python 3.11 it needs these Debian packages:",
             "  " + " ".join(TEST_PACKAGES), "", "Missing here:"]
    lines += [f"  {check.name}: {check.detail}" for check in missing]
    install = install_line(missing)
    if install:
        lines += ["", "Install them with:", f"  {install}"]
    lines += ["(`make doctor` lists everything the tests use.)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.environ.get("PYTHON", "python3.11"))
    parser.add_argument("--require", choices=["test"], help="say only what stops `make test`; exit 1 if any")
    options = parser.parse_args(argv)
    if options.require:
        checks = test_checks(options.python)
        if any(check.status == MISSING for check in checks):
            print(refusal(checks), file=sys.stderr)
            return 1
        return 0
    checks = all_checks(options.python)
    print(report(checks))
    return 1 if any(check.status == MISSING for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
