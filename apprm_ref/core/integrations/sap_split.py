"""The product's split command as BRBACKUP calls it, with the replica made inside.

BRBACKUP runs synchronously and calls ``split_cmd`` while the tablespaces are in backup
mode (or the database is down). :class:`SplitCall` is that command: it starts the
session's ``make_replica`` and runs it up to its first wait, which is where the array
call is made, so the replica's instant lies inside the split window (the array's latency is
waited for once BRBACKUP has returned, by :func:`resume`). It answers BRBACKUP as a split
command must: exit 0 with only ``#INFO`` lines, or exit 1 and the reason (SAP-10, S-9).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import MakeReplica
from apprm_ref.core.records import ReplicaRecord


@dataclass
class SplitCall:
    ctx: SessionContext
    make_replica: MakeReplica
    origin: str
    started: Generator[simpy.Event, Any, ReplicaRecord] | None = None
    pending: simpy.Event | None = None
    replica: ReplicaRecord | None = None
    failure: BaseException | None = None
    files: list[str] = field(default_factory=list)

    def __call__(self, files: Sequence[str]) -> tuple[int, str]:
        if self.started is not None or self.failure is not None:
            return 1, "the split command was called twice in one backup\n"
        self.files = list(files)
        gen = self.make_replica()
        self.started = gen
        try:
            self.pending = next(gen)
        except StopIteration as done:
            self.replica = done.value
        except Exception as exc:  # the array refused: BRBACKUP must see a failed split
            self.failure = exc
            return 1, f"replica creation failed: {exc}\n"
        self.ctx.info(self.origin, f"Split command: replica of {len(files)} file(s) started")
        return 0, f"#INFO replica of {len(files)} file(s) created at one instant\n"

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def resume(call: SplitCall) -> Generator[simpy.Event, Any, ReplicaRecord]:
    """Finish the replica the split command started (its waits, its IDB record)."""
    if call.replica is not None:
        return call.replica
    gen, event = call.started, call.pending
    assert gen is not None and event is not None
    while True:
        try:
            value = yield event
        except BaseException as exc:  # an abort while waiting goes to the generator
            event = gen.throw(exc)
            continue
        try:
            event = gen.send(value)
        except StopIteration as done:
            replica: ReplicaRecord = done.value
            return replica
