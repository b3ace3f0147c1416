"""The command journal: what a running writer is doing, durable before its work starts.

One writer at a time holds a lab (:mod:`apprm_ref.lab.lock`), so one file suffices:
``<lab>/command.journal`` names the command (pid, command line), the world generation its
transaction started from, and every session it opened (written durably the moment a
session ID is taken, before the session's first row). A completed command removes it
after its commit; a journal found by the next lock holder belongs to a command that died.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apprm_ref.lab.atomic import remove_durably, write_atomic

JOURNAL = "command.journal"


@dataclass
class JournalSession:
    id: str
    type: str
    spec: str
    started: float


@dataclass
class JournalRecord:
    pid: int
    command: str
    base_generation: int
    sessions: list[JournalSession] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> JournalRecord:
        doc: dict[str, Any] = json.loads(text)
        sessions = [JournalSession(**s) for s in doc.get("sessions", [])]
        return cls(int(doc["pid"]), str(doc["command"]), int(doc["base_generation"]), sessions)


class Journal:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / JOURNAL
        self.record: JournalRecord | None = None

    def pending(self) -> JournalRecord | None:
        """The record a dead command left, or None. A torn record cannot exist (atomic
        rename); an unreadable one is reported as a dead command with no sessions."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        try:
            return JournalRecord.from_json(text)
        except (ValueError, KeyError, TypeError):
            return JournalRecord(0, "an unreadable command journal", -1)

    def start(self, command: str, base_generation: int) -> None:
        self.record = JournalRecord(os.getpid(), command, base_generation)
        write_atomic(self.path, self.record.to_json())

    def add_session(self, entry: JournalSession) -> None:
        if self.record is None:
            return
        self.record.sessions.append(entry)
        write_atomic(self.path, self.record.to_json())

    def clear(self) -> None:
        self.record = None
        remove_durably(self.path)
        for tmp in self.home.glob(".*.tmp"):  # left by a writer killed mid-rename
            tmp.unlink(missing_ok=True)
