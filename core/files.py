"""Files that hold patient data (exports, published reports) are readable by the service's own user only.

Export files and the directory they live in are created owner-only whatever the process umask is: 0600
files in a 0700 directory, so another account on the server (a second service, a shell user) cannot read
an identifiable case CSV while it waits to be downloaded. Django's storage gets the same modes
(FILE_UPLOAD_PERMISSIONS, FILE_UPLOAD_DIRECTORY_PERMISSIONS in settings) for what it saves itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Final

FILE_MODE: Final = 0o600
DIRECTORY_MODE: Final = 0o700


def private_directory(path: str | os.PathLike[str]) -> Path:
    """The directory, created if needed and made owner-only (an existing one is tightened too)."""
    directory = Path(path)
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    directory.chmod(DIRECTORY_MODE)  # mkdir's mode is filtered by the umask, and an old directory keeps its own
    return directory


def open_private(path: str | os.PathLike[str], *, exclusive: bool = False) -> IO[bytes]:
    """Open for writing (binary) a file only the owner may read; `exclusive` refuses an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)  # an existing file keeps its old mode through os.open
    return os.fdopen(descriptor, "wb")
