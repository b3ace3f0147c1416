"""Writer commands of the API, each run on its own thread as one lab command.

A backup or restore asked through the API is exactly a CLI writer command: the thread opens
the lab as its one writer (lock, journal, one transaction), starts the session through the
service layer, drives it to its end (abort requests honoured between steps) and commits
world and IDB together. The request waits only until the session has started (its ID is
known) or was refused; a refusal raises in the request, with nothing changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprm_ref.core.requests import drive
from apprm_ref.core.session import Session
from apprm_ref.errors import ApprmError, OrchestrationError
from apprm_ref.front.lab import Lab, open_lab

# start(lab) -> the session's process; called once the lab is open as its writer
Start = Callable[[Lab], Any]
KEEP = 64  # commands remembered (running ones are never dropped)
START_TIMEOUT = 120.0  # seconds a request waits for its session to start (lock wait included)


@dataclass
class Job:
    kind: str
    label: str
    session: Session | None = None
    clock: Any = None  # the lab, for the *_at of the live session
    error: ApprmError | None = None
    done: bool = False
    started: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class Jobs:
    """The writer commands this server runs (at most one holds the lab at a time: the
    lab's writer lock serializes them with each other and with the CLI)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._jobs: list[Job] = []

    def run(self, kind: str, label: str, start: Start) -> Job:
        """Start the command; return once its session runs, raise its refusal otherwise."""
        job = Job(kind, label)
        job.thread = threading.Thread(target=self._work, args=(job, start), name=label)
        with self._lock:
            done = [j for j in self._jobs if j.done][-KEEP:]
            self._jobs = [*done, *(j for j in self._jobs if not j.done), job]
        job.thread.start()
        if not job.started.wait(START_TIMEOUT):
            raise OrchestrationError(f"{label}: the session did not start in {START_TIMEOUT:g}s")
        if job.session is None:
            with self._lock:
                self._jobs.remove(job)
            raise job.error or OrchestrationError(f"{label}: no session started")
        return job

    def _work(self, job: Job, start: Start) -> None:
        try:
            with open_lab(self.home, save=True) as lab:
                seen: list[Session] = []
                lab.orchestrator.observe_sessions(lambda s, _p: seen.append(s))
                proc = start(lab)
                job.session, job.clock = seen[0], lab
                job.started.set()
                logs = lab.logs
                drive(lab.orchestrator, proc, job.label, logs.check_aborts if logs else _idle)
        except ApprmError as exc:
            job.error = exc
        except Exception as exc:  # noqa: BLE001 - reported on the job, never lost with the thread
            job.error = OrchestrationError(f"{job.label}: {exc.__class__.__name__}: {exc}")
        finally:
            job.done = True
            job.started.set()

    def running(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs if not j.done and j.session is not None]

    def find(self, session_id: str) -> Job | None:
        with self._lock:
            for job in self._jobs:
                if job.session is not None and job.session.id == session_id:
                    return job
        return None

    def join(self, timeout: float | None = None) -> None:
        """Wait for every command to end (server shutdown, tests)."""
        with self._lock:
            threads = [j.thread for j in self._jobs if j.thread is not None]
        for thread in threads:
            thread.join(timeout)


def _idle() -> None:
    return None
