"""Durable file replacement: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import os
from pathlib import Path

from apprm_ref import crashpoint


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Temporary file in the same directory, fsync, rename over ``path``, fsync the dir."""
    raw = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(raw)
        f.flush()
        os.fsync(f.fileno())
    crashpoint.hit("file")
    os.replace(tmp, path)
    fsync_dir(path.parent)


def remove_durably(path: Path) -> None:
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
