"""Session references in scenario files: which backup session a restore uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apprm_ref.core.session import SESSION_ID_RE, parse_session_id

_LAST = re.compile(r"^(last|first)-of\s+(\S+)$")
_NTH = re.compile(r"^session\s+#(\d+)\s+of\s+(\S+)$")
_ID = SESSION_ID_RE

HELP = "'last-of SPEC', 'first-of SPEC', 'session #N of SPEC' or a session id YYYY/MM/DD-N"


@dataclass(frozen=True)
class SessionRef:
    spec: str | None
    index: int | None  # 1-based among the spec's backup sessions; -1 = last with a replica
    session_id: str | None = None
    first: bool = False  # first-of: the oldest session with a replica

    def pick(self, sessions: list[str], with_replica: list[str]) -> str | None:
        """Choose a session id; None if out of range.

        ``#N`` counts every backup session of the spec in start order (whatever its outcome);
        ``last-of``/``first-of`` pick among those that produced a replica.
        """
        if self.session_id is not None:
            return self.session_id if self.session_id in sessions else None
        if self.index == -1:
            return with_replica[-1] if with_replica else None
        if self.index == 1 and self.first:
            return with_replica[0] if with_replica else None
        assert self.index is not None
        return sessions[self.index - 1] if 0 < self.index <= len(sessions) else None


def parse_session_ref(text: str) -> SessionRef:
    t = " ".join(text.split())
    m = _LAST.match(t)
    if m:
        last = m.group(1) == "last"
        return SessionRef(m.group(2), -1 if last else 1, first=not last)
    m = _NTH.match(t)
    if m:
        n = int(m.group(1))
        if n < 1:
            raise ValueError("sessions are counted from #1")
        return SessionRef(m.group(2), n)
    if _ID.match(t):
        parse_session_id(t)  # a real date, or ValueError
        return SessionRef(None, None, t)
    shown = repr(text) if len(text) <= 60 else repr(text[:57]) + "..."
    raise ValueError(f"expected {HELP}, got {shown}")
