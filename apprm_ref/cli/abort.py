"""``apprm abort SESSION`` (omniabort): end a running session cleanly.

In a lab a session runs inside the one command that started it (``apprm backup``, ``lab
advance``), so there are two honest cases, told apart by the command journal and the
writer lock (:mod:`apprm_ref.lab.journal`, :mod:`apprm_ref.lab.lock`):

- the journal names the session and its command holds the lock (alive): an abort request
  is written (:func:`~apprm_ref.front.sessionlog.request_abort`); that command interrupts
  the session between two simulation steps, the session unwinds what it made and ends
  Aborted, and this command waits (``--timeout``) for the session log's end line;
- the journal names it and nobody holds the lock (its command died): this command takes
  the lock, which reconciles the session as Aborted (REL-I2).

A session no running command names is refused: it has ended (or never existed).
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from apprm_ref.cli.app import EXIT_WARN
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.errors import ConfigError
from apprm_ref.front.sessionlog import abort_path, ended_status, log_path, request_abort
from apprm_ref.lab.journal import Journal
from apprm_ref.lab.lock import WriterLock

USER = "apprm.apprm@cellmanager"
POLL = 0.05  # seconds between two reads of the session log while waiting
MAX_TIMEOUT = 3600.0


def abort(
    session_id: str = typer.Argument(..., metavar="SESSION", help="the running session's ID"),
    timeout: float = typer.Option(
        30.0, "--timeout", min=0, max=MAX_TIMEOUT, help="seconds to wait for it to end"
    ),
) -> None:
    """End a running session: it unwinds what it made and ends Aborted."""
    home = current_home()
    record = Journal(home).pending()
    if record is None or all(s.id != session_id for s in record.sessions):
        _refuse_not_running(home, session_id)
    status = ended_status(log_path(home, session_id))
    if status is not None:
        raise ConfigError(f"session {session_id} is not running (it ended {status})")
    lock = WriterLock(home, 0)
    if lock.try_acquire():  # the command that ran it is dead: reconcile it now
        lock.release()
        with open_lab(home, save=True) as lab:
            ended = lab.repo.get_session(session_id).status.value
        typer.echo(f"Session {session_id} {ended} (the command that ran it had died).")
        return
    request_abort(home, session_id, USER)
    status = _wait_end(log_path(home, session_id), timeout)
    if status is None:
        typer.echo(
            f"Abort of session {session_id} requested; it is still running after "
            f"{timeout:g}s (the request stands: {abort_path(home, session_id)})."
        )
        raise typer.Exit(EXIT_WARN)
    typer.echo(f"Session {session_id} {status}.")
    if status != "Aborted":  # it ended on its own before the request was seen
        raise typer.Exit(EXIT_WARN)


def _refuse_not_running(home: Path, session_id: str) -> None:
    with open_lab(home) as lab:
        session = lab.repo.get_session(session_id)  # NotFoundError: no such session
    raise ConfigError(f"session {session_id} is not running (it ended {session.status.value})")


def _wait_end(path: Path, timeout: float) -> str | None:
    """The session's final status once its log says it ended, or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        status = ended_status(path)
        if status is not None or time.monotonic() >= deadline:
            return status
        time.sleep(POLL)
