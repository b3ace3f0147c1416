"""Per-session logs and abort requests: files in ``<lab>/sessions/`` outside the transaction.

Why files: a lab command runs its sessions inside ONE database transaction (world and IDB
commit together, :mod:`apprm_ref.lab.store`), so no other process sees a running session's
messages in the IDB until the command ends. Each message is therefore also appended,
durably (flush + fsync), to ``<lab>/sessions/<id>.log`` the moment the session logs it, and
a last line ``Session <id> <status>.`` says it ended; ``apprm sessions log ID --follow``
tails that file from another process. The writer hooks the orchestrator's observer
(:meth:`~apprm_ref.core.service.Orchestrator.observe_sessions`), so core writes no files.

An abort request (``apprm abort``) is the file ``<lab>/sessions/<id>.abort``: the command
running the session checks for it between simulation steps and interrupts the session,
which unwinds and ends Aborted (:mod:`apprm_ref.cli.abort`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from apprm_ref.lab.atomic import write_atomic

SESSIONS_DIR = "sessions"
END_LINE = re.compile(r"^Session (\S+) ended (.+)\.$")


def _stem(session_id: str) -> str:
    """``2008/03/03-1`` -> ``2008-03-03-1`` (the ID's date slashes are not directories)."""
    return session_id.replace("/", "-")


def log_path(home: Path, session_id: str) -> Path:
    return home / SESSIONS_DIR / f"{_stem(session_id)}.log"


def abort_path(home: Path, session_id: str) -> Path:
    return home / SESSIONS_DIR / f"{_stem(session_id)}.abort"


def end_line(session_id: str, status: str) -> str:
    return f"Session {session_id} ended {status}."


def append_durably(path: Path, text: str, *, fresh: bool = False) -> None:
    """Append ``text`` and fsync before returning, so a reader (or a crash) sees it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w" if fresh else "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def request_abort(home: Path, session_id: str, who: str) -> None:
    path = abort_path(home, session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, who + "\n")


class _Tap(list[Any]):
    """A session's message list that also appends each new message to the session's log."""

    def __init__(self, items: list[Any], write: Callable[[Any], None]) -> None:
        super().__init__(items)
        self._write = write

    def append(self, item: Any) -> None:
        super().append(item)
        self._write(item)


@dataclass
class SessionLogs:
    """Observer of one command's orchestrator: a log per session, and the processes an
    abort request may interrupt."""

    home: Path
    when: Callable[[float], datetime]
    running: dict[str, Any] = field(default_factory=dict)  # the orchestrator's started ones
    procs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, session: Any, proc: Any) -> None:
        path = log_path(self.home, session.id)
        append_durably(
            path, f"Session {session.id} ({session.type.value}, {session.spec})\n\n", fresh=True
        )
        for m in session.messages:
            self._write(path, m)
        session.messages = _Tap(session.messages, lambda m: self._write(path, m))
        self.procs[session.id] = (session, proc)

    def _write(self, path: Path, message: Any) -> None:
        append_durably(path, message.render(self.when(message.at)) + "\n\n")

    def settle(self) -> None:
        """Write the end line of every session whose process has ended."""
        for session, proc in list(self.procs.values()):
            if not proc.is_alive:
                self._ended(session)

    def _ended(self, session: Any) -> None:
        self.procs.pop(session.id, None)
        abort_path(self.home, session.id).unlink(missing_ok=True)
        append_durably(
            log_path(self.home, session.id), end_line(session.id, session.status.value) + "\n"
        )

    def check_aborts(self) -> None:
        """Interrupt every started session whose abort was requested (once each)."""
        self.settle()
        for sid, (_session, proc) in list(self.procs.items()):
            request = abort_path(self.home, sid)
            # a process is interrupted only once its flow runs (it is then in ``running``)
            if proc.is_alive and sid in self.running and request.exists():
                import simpy

                try:
                    who = request.read_text().strip() or "apprm abort"
                    request.unlink(missing_ok=True)
                    proc.interrupt(f"session aborted by {who}")
                except (OSError, RuntimeError, simpy.core.SimPyException):  # ended meanwhile
                    continue


def ended_status(path: Path) -> str | None:
    """The status the log's end line names, or None while the session runs (or no log)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 256))
            tail = fh.read().decode("utf-8", "replace").rstrip("\n").rsplit("\n", 1)[-1]
    except OSError:
        return None
    match = END_LINE.match(tail)
    return match.group(2) if match else None


def note_reconciled(home: Path, session_id: str) -> None:
    """A dead command's session, reconciled Aborted: its log (if any) says so and ends."""
    path = log_path(home, session_id)
    if path.exists() and ended_status(path) is None:
        append_durably(
            path,
            "The command that ran this session died; its changes were rolled back.\n"
            + end_line(session_id, "Aborted")
            + "\n",
        )


def writer_alive(home: Path) -> bool:
    """Whether a live process holds the lab's writer lock (read from its owner note, so a
    reader never takes the lock a starting command is about to take)."""
    from apprm_ref.lab.lock import OWNER

    try:
        words = (home / OWNER).read_text().split()
        pid = int(words[1]) if len(words) > 1 and words[0] == "pid" else 0
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
