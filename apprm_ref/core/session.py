"""The product's session model: IDs, statuses, messages, and the compensation stack.

Status follows ``vss-and-core.md`` §12: a session starts Queuing or In Progress, may show
running variants, and ends in exactly one terminal state that never changes afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from apprm_ref.errors import OrchestrationError
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import TERMINAL_STATUSES, SessionStatus, SessionType, Severity

SESSION_ID_RE = re.compile(r"^(R-)?(\d{4})/(\d{2})/(\d{2})-([1-9]\d*)$")

RUNNING_STATUSES = (
    SessionStatus.QUEUING,
    SessionStatus.IN_PROGRESS,
    SessionStatus.MOUNT_REQUEST,
    SessionStatus.IN_PROGRESS_ERRORS,
    SessionStatus.IN_PROGRESS_FAILURES,
)


def format_session_id(day: datetime, n: int) -> str:
    if n < 1:
        raise ValueError("session numbers start at 1")
    return f"{day:%Y/%m/%d}-{n}"


def parse_session_id(text: str) -> tuple[str, int]:
    """``"2008/03/15-3"`` -> (``"2008/03/15"``, 3); raises ValueError when malformed."""
    m = SESSION_ID_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a session ID (YYYY/MM/DD-N): {text!r}")
    datetime(int(m.group(2)), int(m.group(3)), int(m.group(4)))  # validates the date
    return f"{m.group(2)}/{m.group(3)}/{m.group(4)}", int(m.group(5))


class SessionIdAllocator:
    """Per-day counters, N strictly increasing within a day (VC-I16).

    ``last_for_day`` lets the allocator resume from the IDB after a restart (VC-P13).
    """

    def __init__(self, last_for_day: Callable[[str], int]) -> None:
        self._last_for_day = last_for_day
        self._cache: dict[str, int] = {}

    def next(self, when: datetime) -> str:
        day = f"{when:%Y/%m/%d}"
        last = self._cache.get(day)
        if last is None:
            last = self._last_for_day(day)
        self._cache[day] = last + 1
        return format_session_id(when, last + 1)


@fast_init
@dataclass(frozen=True)
class Message:
    at: float  # simulated seconds
    severity: Severity
    origin: str  # "BSM", "SMISA@host", "SSEA@host", "ORA@host", ...
    text: str
    code: str | None = None
    obj: str | None = None

    def render(self, when: datetime) -> str:
        head = f"[{self.severity.label}] From: {self.origin}"
        if self.obj:
            head += f' "{self.obj}"'
        head += f"  Time: {when:%d-%m-%Y %H:%M:%S}"
        code = f"[{self.code}] " if self.code else ""
        return f"{head}\n    {code}{self.text}"


class ObjectResult:
    COMPLETED = "Completed"
    FAILED = "Failed"
    ABORTED = "Aborted"
    PENDING = "Pending"


@dataclass
class BackupObjectRecord:
    name: str  # "/data" or "ORACLE:PROD" ...
    kind: str  # filesystem | oracle | ...
    status: str = ObjectResult.PENDING
    detail: str = ""


def derive_status(
    objects: Sequence[str],
    *,
    pre_exec_failed: bool = False,
    post_exec_failed: bool = False,
    aborted: bool = False,
    worst: Severity = Severity.NORMAL,
) -> SessionStatus:
    """Terminal status from the objects' results and the pre/post-exec results (VC-P12).

    Pre-exec failure: Failed, nothing processed. Abort: Aborted. No object completed:
    Failed. Some failed: Completed/Failure. All completed with a Major/Critical message or a
    failed post-exec: Completed/Errors. Otherwise Completed.
    """
    if aborted:
        return SessionStatus.ABORTED
    if pre_exec_failed:
        return SessionStatus.FAILED
    done = sum(1 for o in objects if o == ObjectResult.COMPLETED)
    if not objects or done == 0:
        return SessionStatus.FAILED
    if done < len(objects):
        return SessionStatus.COMPLETED_FAILURE
    if post_exec_failed or worst >= Severity.MAJOR:
        return SessionStatus.COMPLETED_ERRORS
    return SessionStatus.COMPLETED


@dataclass
class Session:
    id: str
    type: SessionType
    spec: str
    started: float
    status: SessionStatus = SessionStatus.IN_PROGRESS
    finished: float | None = None
    messages: list[Message] = field(default_factory=list)
    objects: list[BackupObjectRecord] = field(default_factory=list)
    pre_exec_failed: bool = False
    post_exec_failed: bool = False
    replica_id: str | None = None
    backup_mode_seconds: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)
    restored_from: str | None = None  # restore sessions: the backup session restored

    @property
    def worst(self) -> Severity:
        return max([m.severity for m in self.messages], default=Severity.NORMAL)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def set_running(self, status: SessionStatus) -> None:
        if self.terminal:
            raise OrchestrationError(f"session {self.id} already ended {self.status.value}")
        if status in TERMINAL_STATUSES:
            raise OrchestrationError("use finish() to end a session")
        self.status = status

    def log(
        self,
        at: float,
        severity: Severity,
        origin: str,
        text: str,
        *,
        code: str | None = None,
        obj: str | None = None,
    ) -> Message:
        msg = Message(at, severity, origin, text, code, obj)
        self.messages.append(msg)
        if (  # the int comparison first: most messages are below Major
            severity >= Severity.MAJOR
            and not self.terminal
            and self.status == SessionStatus.IN_PROGRESS
        ):
            self.status = SessionStatus.IN_PROGRESS_ERRORS
        return msg

    def finish(self, at: float, *, aborted: bool = False) -> SessionStatus:
        """Derive and fix the terminal status; a second call is refused (VC-I17)."""
        if self.terminal:
            raise OrchestrationError(f"session {self.id} already ended {self.status.value}")
        self.status = derive_status(
            [o.status for o in self.objects],
            pre_exec_failed=self.pre_exec_failed,
            post_exec_failed=self.post_exec_failed,
            aborted=aborted,
            worst=self.worst,
        )
        self.finished = at
        return self.status

    def messages_at_least(self, level: Severity) -> list[Message]:
        return [m for m in self.messages if m.severity >= level]


@dataclass(eq=False)
class UndoHandle:
    """One change a step made, held by the step that made it: ``undo`` reverts it,
    ``description`` says what the undo does and ``left_behind`` what stays if it fails.

    The step reverts its own change through the handle (``revert``), or says it is gone
    (``done``); whatever is still held when the session fails is unwound by the stack.
    """

    description: str
    undo: Callable[[], None]
    left_behind: str = ""
    stack: CompensationStack | None = field(default=None, repr=False)

    @property
    def what_stays(self) -> str:
        return self.left_behind or f"not done: {self.description}"

    def revert(self) -> None:
        """Undo now; a failed undo stays on the stack (so the unwinding retries and reports
        it) and the error goes on to the caller."""
        self.undo()
        self.done()

    def done(self) -> None:
        """The change is gone (reverted or handed over): nothing is left to undo."""
        if self.stack is not None:
            self.stack.remove(self)


@dataclass(frozen=True)
class UndoOutcome:
    handle: UndoHandle
    error: Exception | None = None

    @property
    def description(self) -> str:
        return self.handle.description


class CompensationStack:
    """Every step pushes its undo as a handle; on failure the stack unwinds newest first.

    An undo that fails is reported and the unwinding goes on, so one stuck step never
    hides the others; what it left behind is said in the report (OPS-I2).
    """

    def __init__(self) -> None:
        self._stack: list[UndoHandle] = []

    def push(
        self, description: str, undo: Callable[[], None], *, left_behind: str = ""
    ) -> UndoHandle:
        handle = UndoHandle(description, undo, left_behind, self)
        self._stack.append(handle)
        return handle

    def do(
        self,
        description: str,
        do: Callable[[], None],
        undo: Callable[[], None],
        *,
        left_behind: str = "",
    ) -> UndoHandle:
        """Make a change and hold its undo: nothing is pushed when ``do`` fails."""
        do()
        return self.push(description, undo, left_behind=left_behind)

    def remove(self, handle: UndoHandle) -> None:
        if handle in self._stack:
            self._stack.remove(handle)

    def discard(self, description: str) -> None:
        """Drop the newest handle with ``description``, for a step that reverts in another
        hook than the one that made the change and so holds no handle."""
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i].description == description:
                del self._stack[i]
                return

    def mark(self) -> int:
        """A point to unwind back to (``unwind(down_to=...)``)."""
        return len(self._stack)

    def unwind(self, down_to: int = 0) -> list[UndoOutcome]:
        """Undo every handle pushed since ``down_to``, newest first; never raises."""
        results: list[UndoOutcome] = []
        while len(self._stack) > down_to:
            handle = self._stack.pop()
            try:
                handle.undo()
                results.append(UndoOutcome(handle))
            except Exception as exc:  # noqa: BLE001 - keep unwinding, report each failure
                results.append(UndoOutcome(handle, exc))
        return results

    def clear(self) -> None:
        self._stack.clear()

    @property
    def handles(self) -> list[UndoHandle]:
        return list(self._stack)

    def __len__(self) -> int:
        return len(self._stack)
