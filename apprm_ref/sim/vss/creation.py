"""DoSnapshotSet as a job on the simulated clock (the IVssAsync of the call).

Phases (vss-and-core.md §3.1 rows 10–14, §3.5):

1. ``start``: PrepareForSnapshot to the writers, ``BeginPrepareSnapshot`` per volume; the job
   is ready when the slowest writer and provider are (``wait_until``).
2. ``advance`` at ``wait_until``: Freeze, writer by writer (each handler's stall counts), then
   the kernel flush-and-hold of the set's volumes begins (``hold_started``).
3. ``commit`` inside the hold: the providers commit every LUN at one instant — or the caller
   hands in the targets it made itself (the product's ``make_replica`` through its array
   driver). The hold is measured on the simulated clock: longer than 10 s is
   ``VSS_E_HOLD_WRITES_TIMEOUT`` and no shadow copy survives (VC-I7). Then Thaw (a writer
   whose Freeze→Thaw window passed its ``dwTimeoutFreeze`` gets Abort and
   VSS_E_WRITERERROR_TIMEOUT instead, FAILED_AT_FREEZE), PostSnapshot, and the shadow copies
   exist.

A veto (False from PrepareForSnapshot/Freeze, or SetWriterFailure there, VSS-10) or a timed-out
writer aborts the whole set: every writer of the operation gets Abort, each one that saw Freeze
exactly one Thaw or Abort (VC-I6, VC-P2, VC-P4). VSS never retries by itself.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError, VssError
from apprm_ref.sim.vss.errors import HRESULTS, vss_error
from apprm_ref.sim.vss.events import Delivery
from apprm_ref.sim.vss.models import Attr, ShadowCopy, ShadowSet, WriterState
from apprm_ref.sim.vss.providers import Lun, Provider, Target
from apprm_ref.sim.vss.writers import Event
from apprm_ref.sim.vss.xmldoc import wmd_xml

if TYPE_CHECKING:
    from apprm_ref.sim.vss.requester import BackupComponents

HOLD_LIMIT = 10.0  # seconds of flush-and-hold, not configurable (vss §3.4)


class Stage(enum.Enum):
    PREPARING = "preparing"
    HOLDING = "holding writes"
    DONE = "done"
    FAILED = "failed"


@dataclass
class CreationJob:
    req: BackupComponents
    stage: Stage = Stage.PREPARING
    wait_until: float = 0.0
    done_at: float = 0.0
    hold_started: float = 0.0
    frozen_at: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    own_targets: bool = True
    error: VssError | None = None
    held: list[str] = field(default_factory=list)  # mounts under flush-and-hold

    @property
    def world(self) -> Any:
        return self.req.service.world

    @property
    def ok(self) -> bool:
        return self.stage == Stage.DONE

    @property
    def finished(self) -> bool:
        return self.stage in (Stage.DONE, Stage.FAILED)

    def _send(self, event: Event, only: Any = None) -> list[Delivery]:
        r = self.req
        assert r.events is not None
        return r.events.send(
            event,
            backup_type=r.backup_type,
            components=r.components_by_writer(),
            volumes=r.volume_labels(),
            types=r.types_by_writer(),
            only=only,
        )

    # --- phase 1 ----------------------------------------------------------------------------

    def start(self) -> None:
        now = self.world.now()
        svc, events = self.req.service, self.req.events
        assert events is not None
        failed = [w.key for w in events.writers if svc.status(w).state.failed]
        if failed:  # a failed writer stays failed until its service restarts (VC-P18)
            self._fail("VSS_E_UNEXPECTED_WRITER_ERROR", f"writer {', '.join(failed)} is failed")
            return
        answers = self._send(Event.PREPARE_FOR_SNAPSHOT)
        ready = now + sum(d.stalled for d in answers)
        if any(not d.ok or d.failure for d in answers):
            self._fail("VSS_E_UNEXPECTED_WRITER_ERROR", _vetoed(answers, "PrepareForSnapshot"))
            return
        try:
            for v in self.req.volumes:
                for lun in v.ref.luns:
                    ready = max(ready, v.provider.begin_prepare(self.world, lun, self.req.context))
        except VssError as exc:
            self._fail(exc.code or "VSS_E_UNEXPECTED_PROVIDER_ERROR", _detail(exc))
            return
        self.wait_until = ready

    # --- phase 2 ----------------------------------------------------------------------------

    def _not_before(self, what: str) -> None:
        if self.world.now() < self.wait_until:
            raise vss_error("VSS_E_BAD_STATE", f"{what} before {self.wait_until:.3f}")

    def advance(self) -> None:
        """Run the next phase (the caller has waited until ``wait_until``)."""
        if self.stage == Stage.PREPARING:
            self._freeze()
        elif self.stage == Stage.HOLDING:
            self.commit()
        else:
            raise vss_error("VSS_E_BAD_STATE", f"the creation is {self.stage.value}")

    def _freeze(self) -> None:
        self._not_before("Freeze")
        t = self.world.now()
        events = self.req.events
        assert events is not None
        answers: list[Delivery] = []
        for w in events.writers:
            if self.req.service.status(w).state != WriterState.WAITING_FOR_FREEZE:
                continue
            self.frozen_at[w.key] = t
            one = self._send(Event.FREEZE, only=w)
            answers += one
            t += sum(d.stalled for d in one)
            if one and (t - self.frozen_at[w.key]) * 1000 > _timeout_ms(self.req, w.key):
                self._time_out(w)
        if any(not d.ok or d.failure for d in answers) or self._timed_out():
            self._fail("VSS_E_UNEXPECTED_WRITER_ERROR", _vetoed(answers, "Freeze"))
            return
        self.hold_started = t
        self.wait_until = t
        self.stage = Stage.HOLDING
        try:
            self._hold()
        except VssError as exc:
            self._release()
            self._fail(exc.code or "VSS_E_FLUSH_WRITES_TIMEOUT", _detail(exc))

    def _time_out(self, writer: Any) -> None:
        svc, events = self.req.service, self.req.events
        assert events is not None
        svc.set_status(writer, WriterState.FAILED_AT_FREEZE, "VSS_E_WRITERERROR_TIMEOUT")
        events.abort(writer, timed_out=True, error="VSS_E_WRITERERROR_TIMEOUT")

    def _timed_out(self) -> bool:
        svc = self.req.service
        return any(
            svc.statuses.get(k) is not None
            and svc.statuses[k].last_error == "VSS_E_WRITERERROR_TIMEOUT"
            and svc.statuses[k].state == WriterState.FAILED_AT_FREEZE
            for k in self.frozen_at
        )

    # --- phase 3 ----------------------------------------------------------------------------

    def commit(self, targets: list[Target] | None = None) -> None:
        """Commit inside the hold window; ``targets`` = replicas the caller made itself."""
        if self.stage != Stage.HOLDING:
            raise vss_error("VSS_E_BAD_STATE", f"commit while the creation is {self.stage.value}")
        start = max(self.world.now(), self.hold_started)
        try:
            made, seconds = self._make(targets)
        except VssError as exc:  # an undocumented provider return is UNEXPECTED_PROVIDER_ERROR
            self._release()
            code = exc.code if exc.code in HRESULTS else "VSS_E_UNEXPECTED_PROVIDER_ERROR"
            self._fail(code, _detail(exc))
            return
        self._release()
        hold_end = start + seconds
        if hold_end - self.hold_started > HOLD_LIMIT:
            self._drop(made)
            self._fail(
                "VSS_E_HOLD_WRITES_TIMEOUT",
                f"writes held {hold_end - self.hold_started:.3f} s (limit {HOLD_LIMIT:.0f} s)",
            )
            return
        self.targets = made
        self._thaw(hold_end)

    def _hold(self) -> None:
        """Kernel flush-and-hold of every mounted volume of the set."""
        hb, host = self.world.hosts, self.req.service.host
        for v in self.req.volumes:
            if v.ref.label and v.ref.label in hb.host(host).mounts:
                try:
                    hb.freeze(host, v.ref.label)
                except HostError as exc:
                    raise vss_error("VSS_E_FLUSH_WRITES_TIMEOUT", f"{v.ref.label}: {exc}") from None
                self.held.append(v.ref.label)

    def _release(self) -> None:
        hb, host = self.world.hosts, self.req.service.host
        while self.held:
            label = self.held.pop()
            mnt = hb.host(host).mounts.get(label)
            if mnt is not None:
                mnt.frozen = False  # the kernel's release cannot fail

    def _make(self, given: list[Target] | None) -> tuple[list[Target], float]:
        if given is not None:
            self.own_targets = False
            want = {lun for v in self.req.volumes for lun in v.ref.luns}
            have = {t.source for t in given}
            if {(x.array, x.volume) for x in want} != {(x.array, x.volume) for x in have}:
                raise vss_error("E_INVALIDARG", "the targets do not cover the set's LUNs")
            return list(given), 0.0
        self.world.faults.check("vss.provider_commit", VssError, host=self.req.service.host)
        made: list[Target] = []
        seconds = 0.0
        for provider, luns in self._by_provider():
            try:
                made += provider.commit(self.world, luns, self.req.context)
            except VssError:
                self._drop(made)
                raise
            seconds = max(seconds, provider.commit_seconds)
        return made, seconds

    def _by_provider(self) -> list[tuple[Provider, tuple[Lun, ...]]]:
        groups: dict[str, tuple[Provider, list[Lun]]] = {}
        for v in self.req.volumes:
            groups.setdefault(v.provider.provider_id, (v.provider, []))[1].extend(v.ref.luns)
        return [(p, tuple(luns)) for p, luns in groups.values()]

    def _drop(self, made: list[Target]) -> None:
        if not self.own_targets:
            return
        by_provider = {v.provider.provider_id: v.provider for v in self.req.volumes}
        for t in reversed(made):
            for p in by_provider.values():
                if p.are_luns_supported(self.world, (t.source,), self.req.context):
                    p.abort(self.world, [t])
                    break

    def _thaw(self, thaw_at: float) -> None:
        events = self.req.events
        assert events is not None
        for w in events.writers:
            frozen = self.frozen_at.get(w.key)
            if frozen is not None and (thaw_at - frozen) * 1000 > _timeout_ms(self.req, w.key):
                self._time_out(w)
        if self._timed_out():
            self._drop(self.targets)
            self._fail("VSS_E_UNEXPECTED_WRITER_ERROR", "a writer's freeze timed out")
            return
        answers = self._send(Event.THAW)
        answers += self._send(Event.POST_SNAPSHOT)
        self.done_at = thaw_at + sum(d.stalled for d in answers)
        self._record()
        self.stage = Stage.DONE
        self.req.creation_ended(True)

    def _record(self) -> None:
        svc, req = self.req.service, self.req
        by_lun = {(t.source.array, t.source.volume): t for t in self.targets}
        kind_attr = {"snapshot": Attr.DIFFERENTIAL, "vsnap": Attr.DIFFERENTIAL}
        for v in req.volumes:
            lun = v.ref.luns[0]
            t = by_lun[(lun.array, lun.volume)]
            attrs = req.context | Attr.HARDWARE_ASSISTED | kind_attr.get(t.kind, Attr.PLEX)
            svc.serial += 1
            svc.shadows[v.shadow_id] = ShadowCopy(
                shadow_id=v.shadow_id,
                set_id=req.set_id,
                volume=v.ref.guid_path,
                volume_label=v.ref.label,
                provider_id=v.provider.provider_id,
                attributes=int(attrs),
                created_at=self.world.now(),
                originating_machine=svc.host,
                service_machine=svc.host,
                array=t.array,
                target=t.volume,
                source=lun.volume,
                device=f"\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy{svc.serial}",
                mu=t.mu,
                kind=t.kind,
                backup_type=req.backup_type,
            )
        if req.context & Attr.TRANSPORTABLE:
            req.bcd.shadows = [dataclasses.replace(svc.shadows[v.shadow_id]) for v in req.volumes]
        svc.sets[req.set_id] = ShadowSet(
            req.set_id,
            req.context,
            self.world.now(),
            [v.shadow_id for v in req.volumes],
            req.save_as_xml(),
            [wmd_xml(i.meta, i.instance_id) for i in req.identified],
        )

    # --- ends -------------------------------------------------------------------------------

    def _fail(self, code: str, detail: str) -> None:
        events = self.req.events
        assert events is not None
        events.abort_all(events.received())
        self.error = vss_error(code, f"DoSnapshotSet {{{self.req.set_id}}}: {detail}")
        self.stage = Stage.FAILED
        self.done_at = self.world.now()
        self.req.creation_ended(False)

    def discard(self) -> None:
        """Delete the set's shadow copies (AbortBackup after creation, non-persistent release)."""
        svc = self.req.service
        for v in self.req.volumes:
            if v.shadow_id in svc.shadows:
                svc.delete_shadow(v.shadow_id)

    def result(self) -> None:
        """IVssAsync::QueryStatus after the end: raise the creation's error, if any."""
        if not self.finished:
            raise vss_error("VSS_E_BAD_STATE", f"the creation is still {self.stage.value}")
        if self.error is not None:
            raise self.error


def _timeout_ms(req: BackupComponents, key: str) -> int:
    for i in req.identified:
        if i.writer.key == key:
            return i.meta.freeze_timeout_ms
    return 60000


def _vetoed(answers: list[Delivery], event: str) -> str:
    names = [d.writer.key for d in answers if not d.ok or d.failure]
    return f"{event} vetoed by {', '.join(names)}" if names else f"{event} failed"


def run(job: CreationJob) -> CreationJob:
    """Drive a job to its end on the world's clock (doors and tests outside a SimPy process)."""
    while not job.finished:
        delay = job.wait_until - job.world.now()
        if delay > 0:
            job.world.advance(delay)
        job.advance()
    return job


def _detail(exc: VssError) -> str:
    """The refusal's text without its HRESULT (the creation's error adds its own)."""
    return exc.message.rsplit(" (0x", 1)[0]
