"""``apprm sessions log ID [--follow]``: a session's messages, while it runs and after.

The log is the file the running command appends to (:mod:`apprm_ref.front.sessionlog`);
``--follow`` prints what is new every :data:`POLL` seconds until the end line, the death of
the command running it, or ``--timeout``. A session recorded before logs existed (or whose
log was removed) is printed from the IDB in the same layout.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from apprm_ref.cli.app import EXIT_FAIL, EXIT_WARN
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.front.sessionlog import END_LINE, end_line, log_path, writer_alive

POLL = 0.1
MAX_TIMEOUT = 86400.0


def log(
    session_id: str = typer.Argument(..., metavar="ID"),
    follow: bool = typer.Option(False, "--follow", "-f", help="print new messages until it ends"),
    timeout: float = typer.Option(
        600.0, "--timeout", min=0, max=MAX_TIMEOUT, help="seconds --follow waits at most"
    ),
) -> None:
    """A session's log: its messages as they were written, and how it ended."""
    home = current_home()
    path = log_path(home, session_id)
    if not follow:
        if path.exists():
            typer.echo(path.read_text(encoding="utf-8"), nl=False)
        else:
            _from_idb(home, session_id)
        return
    raise typer.Exit(_follow(home, session_id, path, timeout))


def _from_idb(home: Path, session_id: str) -> None:
    with open_lab(home) as lab:
        s = lab.repo.get_session(session_id)
        typer.echo(f"Session {s.id} ({s.type.value}, {s.spec})\n")
        for m in s.messages:
            typer.echo(m.render(lab.when(m.at)) + "\n")
        if s.terminal:
            typer.echo(end_line(s.id, s.status.value))


def _follow(home: Path, session_id: str, path: Path, timeout: float) -> int:
    """Tail the log (while a command runs, waiting for the session to start, as ``tail
    -F``); exit 0 when it ends, 2 if the command running it ended without finishing it, 1 on ``timeout``."""
    deadline = time.monotonic() + timeout
    offset, last = 0, ""
    while True:
        alive = writer_alive(home)  # read before the file: a last write is never missed
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                fh.seek(offset)
                chunk = fh.read()
                offset = fh.tell()
            if chunk:
                typer.echo(chunk, nl=False)
                last = (last + chunk).rstrip("\n").rsplit("\n", 1)[-1]
            if END_LINE.match(last):
                return 0
            if not alive:
                typer.echo(
                    f"apprm: error: the command running session {session_id} ended without "
                    "finishing it (any lab command reconciles it)",
                    err=True,
                )
                return EXIT_FAIL
        elif not alive:  # nothing runs that could start it: the IDB has it or it is unknown
            _from_idb(home, session_id)
            return 0
        if time.monotonic() >= deadline:
            typer.echo(
                f"apprm: warning: session {session_id} still running after {timeout:g}s",
                err=True,
            )
            return EXIT_WARN
        time.sleep(POLL)
