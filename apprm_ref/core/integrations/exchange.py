"""Exchange Server 2003/2007 through VSS (vss-and-core.md §6, sap-vss-addendum VSS-5..VSS-9).

The VSSBAR flow of ``vss.py`` with the Exchange writer's specifics:

- a spec's objects are storage groups (the backup unit), found by their caption in the
  writer's metadata; each brings its database components (restore units) along. ``copy:
  passive`` backs up the LCR/CCR passive copy through the Microsoft Exchange Replica Writer,
  which shares the store writer's ID, so components are added by writer instance;
- BackupComplete waits for the replica's consistency check on the backup system (when the
  spec asks for it): a storage group whose check fails is reported unsuccessful, so it keeps
  its logs, and its object fails; the others complete and truncate (VC-I20, VC-P6). When no
  storage group passed, the session fails and the replica is not kept;
- after each backup the product waits for the writer to stabilise (10 minutes,
  ``OB2VSS_EXCHANGE_WRITER_STABILIZATION``, §6.5);
- restores (``exchange_restore.py``): instant recovery of the storage groups or of one
  database, the consistency check before it, the copy steps of LCR/CCR, and a database
  restored into the recovery storage group (2007).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions, Steps
from apprm_ref.core.integrations.exchange_check import GroupCheck, check_replica, report
from apprm_ref.core.integrations.exchange_options import ExchangeOptions, parse_exchange_options
from apprm_ref.core.integrations.vss import VssIntegration, VssSessionState, origin
from apprm_ref.core.integrations.vss_select import Selected, find_writer
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.session import ObjectResult
from apprm_ref.drivers import vss as V
from apprm_ref.drivers.exchange import ExchangeDriver, StorageGroupInfo
from apprm_ref.errors import ConfigError, VssError
from apprm_ref.types import VolumeRef

STORE_WRITER, REPLICA_WRITER = "Microsoft Exchange Writer", "Microsoft Exchange Replica Writer"


@dataclass
class ExchangeSessionState:
    groups: list[StorageGroupInfo] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)  # component full path -> caption
    checks: dict[str, GroupCheck] = field(default_factory=dict)


def exchange_driver(ctx: SessionContext) -> ExchangeDriver:
    """The Exchange server whose storage groups run on (or are copied to) the application
    system."""
    assert ctx.spec is not None
    host = ctx.spec.application_system
    for name in sorted(ctx.drivers.apps):
        drv = ctx.drivers.apps[name]
        if isinstance(drv, ExchangeDriver):
            for sg in drv.storage_groups():
                if host in (sg.active.host, sg.passive.host if sg.passive else ""):
                    return drv
    raise ConfigError(f"no Exchange server on {host}", field="application_system")


def captions(writer: V.WriterInfo) -> dict[str, str]:
    """Component full path -> caption, from the writer's metadata document."""
    out: dict[str, str] = {}
    if not writer.wmd_xml:
        return out
    for el in ET.fromstring(writer.wmd_xml).iter():
        if el.tag.rsplit("}", 1)[-1] in ("DATABASE", "FILE_GROUP") and el.get("caption"):
            lp, name = el.get("logicalPath", ""), el.get("componentName", "")
            out[f"{lp}\\{name}" if lp else name] = el.get("caption", "")
    return out


class ExchangeIntegration(VssIntegration):
    kind = "exchange"
    writer = STORE_WRITER

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> ExchangeOptions:
        return parse_exchange_options(raw, spec_name=spec_name)

    def session_units(self, spec: Any) -> list[str]:
        """One backup per storage group of an application system at a time (VC-I19): a
        session waits for every storage group it names."""
        return [f"exchange-storage-group:{sg}" for sg in spec.objects]

    def writer_ref(self, s: Selected) -> str:
        return s.writer.instance_id  # the store and replica writers share their class ID

    def select_components(self, ctx: SessionContext, writers: list[V.WriterInfo]) -> list[Selected]:
        """Each storage group the spec names (by caption or component path) and its
        databases below it."""
        assert ctx.spec is not None
        opts: ExchangeOptions = ctx.app_options
        writer = find_writer(writers, REPLICA_WRITER if opts.copy == "passive" else STORE_WRITER)
        caps = captions(writer)
        ctx.state(ExchangeSessionState).captions = caps
        out: list[Selected] = []
        for obj in ctx.spec.objects:
            sgs = [
                c
                for c in writer.components
                if c.selectable and obj in (c.name, c.full_path, caps.get(c.full_path))
            ]
            if len(sgs) != 1:
                have = ", ".join(
                    caps.get(c.full_path, c.name) for c in writer.components if c.selectable
                )
                raise ConfigError(
                    f"{obj!r} is not a storage group of {writer.name} (it has: {have or 'none'})",
                    field="objects",
                )
            out.append(Selected(writer, sgs[0]))
            out += [
                Selected(writer, c) for c in writer.components if c.logical_path == sgs[0].full_path
            ]
        return out

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        assert ctx.spec is not None
        opts: ExchangeOptions = ctx.app_options
        if opts.consistency_check and not ctx.spec.backup_system:
            raise ConfigError(
                "the consistency check runs on the backup system: give backup_system",
                field="application.consistency_check",
            )
        drv = exchange_driver(ctx)
        wanted = set(ctx.spec.objects)
        st = ctx.state(ExchangeSessionState)
        st.groups = [g for g in drv.storage_groups() if g.name in wanted]
        if opts.copy == "passive":
            for g in st.groups:
                if g.passive is None:
                    raise ConfigError(
                        f"{g.name} has no LCR/CCR copy to back up", field="application.copy"
                    )
        super().check(ctx, sources)

    def complete(self, ctx: SessionContext, backup: Any) -> None:
        """Deferred to ``after_replica``: the consistency check comes first (§9 steps 9-10)."""

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        try:
            yield from self._after_replica(ctx, replica)
        except Exception:
            self._give_up(ctx)  # VSS forgets the set whose replica the unwind deletes
            raise

    def _after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None
        opts: ExchangeOptions = ctx.app_options
        st, vst = ctx.state(ExchangeSessionState), ctx.state(VssSessionState)
        drv = exchange_driver(ctx)
        if opts.consistency_check:
            copies = [
                (g.name, g.prefix, g.passive if opts.copy == "passive" and g.passive else g.active)
                for g in st.groups
            ]
            st.checks = yield from check_replica(ctx, replica, drv, copies)
            report(ctx, origin(ctx), st.checks, str(ctx.spec.backup_system))
        failed = {sg for sg, res in st.checks.items() if not res.ok}
        self._complete(ctx, vst, failed)
        self._record(ctx, replica, failed, drv)
        if failed and len(failed) == len(st.groups):
            raise VssError(
                f"the consistency check failed for every storage group ({', '.join(sorted(failed))}); "
                "the replica is not kept",
                code="EXCHANGE_CONSISTENCY_CHECK",
            )
        for obj in ctx.session.objects:
            if obj.name in failed:
                obj.status, obj.detail = ObjectResult.FAILED, "consistency check failed"
        yield from super().after_replica(ctx, replica)
        if opts.stabilization:
            ctx.info(
                origin(ctx),
                f"Waiting {opts.stabilization / 60:g} minutes for the Exchange writer to "
                "stabilize (OB2VSS_EXCHANGE_WRITER_STABILIZATION).",
            )
            yield from ctx.sleep(opts.stabilization)

    def _complete(self, ctx: SessionContext, vst: VssSessionState, failed: set[str]) -> None:
        """SetBackupSucceeded per component (false for a storage group that failed its
        check, and for its databases), then BackupComplete."""
        st = ctx.state(ExchangeSessionState)
        opts: ExchangeOptions = ctx.app_options
        group_of = {}
        for s in vst.selected:
            cap = st.captions.get(s.component.full_path, s.component.name)
            parent = st.captions.get(s.component.logical_path)
            group_of[s.component.full_path] = parent or cap
        for s in vst.selected:
            ok = group_of[s.component.full_path] not in failed
            vst.backup.set_backup_succeeded(
                self.writer_ref(s), s.component.logical_path, s.component.name, ok
            )
        # a COPY backup completes too: the writer then neither stamps nor truncates (VC-I9)
        vst.backup.backup_complete()
        ctx.info(origin(ctx), f"BackupComplete sent to the Exchange writer ({opts.backup_type})")

    def _record(
        self, ctx: SessionContext, replica: ReplicaRecord, failed: set[str], drv: ExchangeDriver
    ) -> None:
        st = ctx.state(ExchangeSessionState)
        opts: ExchangeOptions = ctx.app_options
        replica.details["exchange"] = {
            "server": drv.server_name(),
            "version": drv.version(),
            "copy": opts.copy,
            "groups": [g.name for g in st.groups],
            "replication": {g.name: g.replication for g in st.groups},
            "checked": sorted(st.checks),
            "check_failed": sorted(failed),
            "captions": dict(sorted(st.captions.items())),
        }

    # --- restores -----------------------------------------------------------------------------

    def restore_elsewhere(self, options: RecoveryOptions) -> bool:
        """A restore into the recovery storage group leaves the original volumes alone."""
        return bool(getattr(options, "recovery_group", ""))

    def restore_to(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        from apprm_ref.core.integrations.exchange_restore import exchange_options
        from apprm_ref.core.integrations.exchange_rsg import restore_to_rsg

        yield from restore_to_rsg(ctx, replica, exchange_options(options))

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        from apprm_ref.core.integrations.exchange_restore import stop_for_ir

        yield from stop_for_ir(self, ctx, replica, options)

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        from apprm_ref.core.integrations.exchange_restore import start_after_ir

        yield from start_after_ir(self, ctx, replica, options)
