"""One writer per lab (OPS-I1): an exclusive lock on ``<lab>/lab.lock`` for the whole command.

``filelock`` takes a kernel lock (``flock``), so a killed holder releases it with its last
file descriptor: a lock is never left stale. Who holds it is written next to it
(``lab.lock.owner``), only to tell a waiting command whom it waits for.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from filelock import FileLock, Timeout

from apprm_ref.errors import ApprmError
from apprm_ref.lab.atomic import write_atomic

LOCK, OWNER = "lab.lock", "lab.lock.owner"
DEFAULT_WAIT = 5.0
ROOT_OPTIONS = ("--home", "--wait")
MAX_WAIT = 86400.0


class LabBusyError(ApprmError):
    """Another command holds the lab's writer lock for longer than this one may wait."""


def command_line(argv: list[str] | None = None) -> str:
    """The command's name and leading words (``apprm backup DATA``), for the journal and
    the waiting message. Options are left out: their values may be secrets (REL-I3)."""
    args = list(sys.argv if argv is None else argv)
    words = [os.path.basename(args[0]) if args else "apprm"]
    rest = iter(args[1:])
    for arg in rest:
        if arg in ROOT_OPTIONS:  # the root's --home/--wait come before the command
            next(rest, None)
        elif arg.startswith("-"):
            words.append("...")
            break
        else:
            words.append(arg)
    return " ".join(words)


@dataclass
class WriterLock:
    home: Path
    wait: float = DEFAULT_WAIT
    notice: TextIO | None = None  # where "waiting for ..." is printed (stderr by default)
    _lock: FileLock | None = field(default=None, init=False)

    def holder(self) -> str:
        try:
            return (self.home / OWNER).read_text().strip() or "another command"
        except OSError:
            return "another command"

    def acquire(self) -> None:
        """Take the lock now, or say whom we wait for and wait up to ``wait`` seconds."""
        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.home / LOCK), is_singleton=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            who = self.holder()
            out = self.notice or sys.stderr
            print(
                f"apprm: lab {self.home} is in use by {who}; waiting up to {self.wait:g}s", file=out
            )
            out.flush()
            try:
                lock.acquire(timeout=self.wait)
            except Timeout:
                raise LabBusyError(
                    f"lab {self.home} is still in use by {who} after {self.wait:g}s "
                    "(one writer per lab; retry, or raise --wait)"
                ) from None
        self._lock = lock
        write_atomic(self.home / OWNER, f"pid {os.getpid()} ({command_line()})\n")

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            (self.home / OWNER).unlink(missing_ok=True)
            lock.release()

    @property
    def held(self) -> bool:
        return self._lock is not None

    def try_acquire(self) -> bool:
        """Take the lock only if it is free (a reader reconciling a crashed lab)."""
        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.home / LOCK), is_singleton=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._lock = lock
        return True
