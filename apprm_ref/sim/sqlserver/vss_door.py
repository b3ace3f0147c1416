"""The product's door to the simulated VSS service (``apprm_ref.drivers.vss.VssDriver``).

It translates the requester calls of the Protocol to the VSS simulator's
``IVssBackupComponents`` (``apprm_ref.sim.vss.requester``) and keeps no state of its own:
writer metadata comes back as :class:`~apprm_ref.drivers.vss.WriterInfo` with its WMD XML,
``DoSnapshotSet`` runs as the simulator's creation job, its Freeze and its commit called by
the product at the simulated times the job gives (the commit takes the targets the
product's array driver made inside the flush-and-hold window). Both VSS application kinds
(``vss`` and ``mssql``) use it; it lives beside the SQL Server simulator, whose writer is its
first user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.vss import BACKUP_TYPES, ComponentInfo, ShadowInfo, WriterInfo
from apprm_ref.errors import VssError
from apprm_ref.types import TargetVolume

# what the door serves of the VSS Protocol (the conformance suite's ``vss`` vocabulary)
FEATURES = frozenset({"product-replica", "split-creation", "vss-restore", "bcd-xml"})


def _service(world: Any, host: str) -> Any:
    from apprm_ref.sim.vss.backend import vss_service

    return vss_service(world, host)


def _info(svc: Any, writer: Any, meta: Any, wmd: str) -> WriterInfo:
    st = svc.status(writer)
    comps = tuple(
        ComponentInfo(
            c.logical_path,
            c.name,
            tuple(f"{f.path.rstrip(chr(92))}\\{f.filespec}" for f in c.files),
            c.selectable,
            c.selectable_for_restore,
        )
        for c in (meta.components if meta is not None else ())
    )
    return WriterInfo(
        writer_id=st.writer_id,
        name=meta.name if meta is not None else writer.key.split("/", 1)[-1],
        instance_id=st.instance_id,
        state=int(st.state),
        state_text=st.state.text,
        last_error=st.last_error,
        backup_schema=meta.backup_schema if meta is not None else 0,
        restore_method=meta.restore_method.xml if meta is not None else "",
        components=comps,
        wmd_xml=wmd,
    )


# the VSS simulator's target kinds (snapshot|vsnap|snapclone|mirror|clone) of a replica type
_TARGET_KIND = {"snapshot_xp": "snapshot"}


@dataclass(frozen=True)
class _ProductCommit:
    """A set volume's provider while the product makes the replica: everything but
    BeginPrepareSnapshot, which has nothing to prepare (the replica is ready when asked)."""

    inner: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def begin_prepare(self, world: Any, lun: Any, context: int) -> float:
        return float(world.now())


@dataclass
class SimBackup:
    """One simulated ``IVssBackupComponents`` and its creation job."""

    world: Any
    host: str
    req: Any = None
    job: Any = None
    metas: dict[str, Any] = field(default_factory=dict)  # writer id -> (writer, metadata)

    def __post_init__(self) -> None:
        from apprm_ref.sim.vss.requester import BackupComponents

        self.req = BackupComponents(_service(self.world, self.host))

    def initialize_for_backup(self) -> None:
        self.req.initialize_for_backup()

    def set_context(self, attributes: int) -> None:
        self.req.set_context(attributes)

    def set_backup_state(self, select_components: bool, backup_type: str) -> None:
        from apprm_ref.sim.vss.models import BackupType

        if backup_type not in BACKUP_TYPES:
            raise VssError(f"no backup type {backup_type!r}", code="E_INVALIDARG")
        self.req.set_backup_state(select_components, False, BackupType[backup_type.upper()])

    def gather_writer_metadata(self) -> list[WriterInfo]:
        found = self.req.gather_writer_metadata()
        svc = self.req.service
        pairs = self.req.writer_metadata()
        xml = dict(zip([i.instance_id for i in found], [x for _m, x in pairs], strict=True))
        return [_info(svc, i.writer, i.meta, xml.get(i.instance_id, "")) for i in found]

    def add_component(self, writer_id: str, logical_path: str, name: str) -> None:
        self.req.add_component(writer_id, logical_path, name)

    def start_snapshot_set(self) -> str:
        return str(self.req.start_snapshot_set())

    def add_to_snapshot_set(self, volume: str) -> str:
        return str(self.req.add_to_snapshot_set(volume))

    def prepare_for_backup(self) -> None:
        self.req.prepare_for_backup()

    def do_snapshot_set(self) -> float:
        """PrepareForSnapshot, without the hardware providers' BeginPrepareSnapshot: the
        product makes the replica itself and has prepared it (an XP resync of the mirror it
        splits happens in its rotation, before), while a provider would prepare a copy of
        its own choosing, such as resyncing another mirror that holds an older replica."""
        kept = [v.provider for v in self.req.volumes]
        for v in self.req.volumes:
            v.provider = _ProductCommit(v.provider)
        try:
            self.job = self.req.do_snapshot_set()
        finally:
            for v, provider in zip(self.req.volumes, kept, strict=True):
                v.provider = provider
        self._raise_if_failed()
        return float(self.job.wait_until)

    def freeze(self) -> float:
        self.job.advance()
        self._raise_if_failed()
        return float(self.job.hold_started)

    def commit(self, targets: Sequence[TargetVolume] | None) -> float:
        self.job.commit(None if targets is None else self._targets(targets))
        self._raise_if_failed()
        return float(self.job.done_at)

    def abandon(self) -> None:
        """The product's replica failed inside the hold window: the commit fails, so VSS
        aborts the set (every writer of the operation gets Abort) and ends the creation.
        A job not holding writes has nothing to abandon."""
        from apprm_ref.sim.vss.creation import Stage

        if self.job is not None and self.job.stage == Stage.HOLDING:
            self.job.commit([])  # no target covers the set's LUNs: CommitSnapshots fails

    def _targets(self, targets: Sequence[TargetVolume]) -> list[Any]:
        from apprm_ref.sim.vss.providers import Lun, Target

        out = []
        for t in targets:
            array = self.world.arrays[t.source.array]
            lun = Lun(t.source.array, t.source.volume, array.volume_wwn(t.source.volume))
            kind = _TARGET_KIND.get(str(t.replica_type), str(t.replica_type))
            out.append(Target(lun, t.target.array, t.target.volume, kind))
        return out

    def _raise_if_failed(self) -> None:
        if self.job is not None and self.job.finished:
            self.job.result()

    def writer_status(self) -> list[WriterInfo]:
        svc = self.req.service
        metas = {i.writer.key: i.meta for i in self.req.identified}
        return [_info(svc, w, metas.get(w.key), "") for w, _st in self.req.writer_status()]

    def set_backup_succeeded(self, writer_id: str, logical_path: str, name: str, ok: bool) -> None:
        self.req.set_backup_succeeded(writer_id, logical_path, name, ok)

    def backup_complete(self) -> None:
        self.req.backup_complete()

    def abort_backup(self) -> None:
        self.req.abort_backup()

    def save_as_xml(self) -> str:
        return str(self.req.save_as_xml())

    def shadows(self) -> list[ShadowInfo]:
        svc = self.req.service
        out = []
        for v in self.req.volumes:
            sc = svc.shadows.get(v.shadow_id)
            if sc is not None:
                out.append(
                    ShadowInfo(
                        sc.shadow_id,
                        sc.set_id,
                        sc.volume_label,
                        sc.source,
                        sc.target,
                        sc.array,
                        sc.attributes,
                        sc.device,
                    )
                )
        return out

    def release(self) -> None:
        self.req.release()


@dataclass
class VssSimDriver:
    """``VssDriver`` over the world's VSS backend (``factory(world, name)``)."""

    world: Any
    name: str

    def capabilities(self) -> Capabilities:
        return Capabilities("vss", vendor="sim", model="vss", features=FEATURES)

    def backup(self, host: str) -> SimBackup:
        return SimBackup(self.world, host)

    def restore(self, host: str, bcd_xml: str, wmd_xml: Sequence[str]) -> Any:
        from apprm_ref.sim.sqlserver.vss_restore_door import SimRestore

        return SimRestore(self.world, host, bcd_xml)

    def writers(self, host: str) -> list[WriterInfo]:
        svc = _service(self.world, host)
        return [_info(svc, w, None, "") for w in svc.writers()]

    def forget_set(self, host: str, set_id: str) -> None:
        svc = _service(self.world, host)
        for sid in sorted(s for s, sc in svc.shadows.items() if sc.set_id == set_id):
            svc.forget_shadow(sid)


def vss_in_backup_mode(backend: Any) -> bool:
    """A set being created or a writer left frozen on any host (the drill's probe)."""
    from apprm_ref.sim.vss.models import WriterState

    for host in sorted(backend.services):
        svc = backend.services[host]
        if svc.creating or any(
            st.state == WriterState.WAITING_FOR_THAW for st in svc.statuses.values()
        ):
            return True
    return False
