"""Crash reconciliation (REL-I2): end every session of a dead command as Aborted.

The dead command's one transaction never committed (or committed everything: then its
generation is past the journal's base and its sessions are already finished), so the IDB
and the simulated arrays are exactly as the last completed command left them. What is left
to do is to say so: each session the journal names and the IDB does not show finished is
recorded as Aborted, with a message naming the command that died and what was rolled back.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.core.session import Session
from apprm_ref.errors import NotFoundError
from apprm_ref.lab.journal import JournalRecord, JournalSession
from apprm_ref.types import SessionType, Severity


def rolled_back_text(record: JournalRecord, committed: bool) -> str:
    who = f"pid {record.pid}, '{record.command}'" if record.pid else record.command
    if committed:
        return (
            f"The command that ran this session ({who}) died after its changes were committed; "
            "the session did not finish."
        )
    return (
        f"The command that ran this session ({who}) died before it finished; all its "
        "changes to the IDB and to the simulated arrays were rolled back (nothing it did "
        "after it started was kept)."
    )


def aborted_session(entry: JournalSession, existing: Session | None, text: str) -> Session:
    """The dead session, ended Aborted at the instant it started."""
    session = existing or Session(entry.id, SessionType(entry.type), entry.spec, entry.started)
    at = max((m.at for m in session.messages), default=entry.started)
    session.log(at, Severity.CRITICAL, "BSM", text)
    session.finish(at, aborted=True)
    return session


def reconcile(repo: Any, record: JournalRecord, generation: int) -> list[str]:
    """End the dead command's unfinished sessions as Aborted; their IDs, in journal order."""
    committed = generation > record.base_generation
    text = rolled_back_text(record, committed)
    ended: list[str] = []
    for entry in record.sessions:
        try:
            existing: Session | None = repo.get_session(entry.id)
        except NotFoundError:
            existing = None
        if existing is not None and existing.terminal:
            continue
        repo.reserve_session_id(entry.id, known=existing is not None)
        repo.save_session(aborted_session(entry, existing, text))
        ended.append(entry.id)
    return ended
