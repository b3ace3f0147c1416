"""The Exchange writers on the VSS simulator's writer interface (``apprm_ref.sim.vss.writers``).

Names and IDs (sap-vss-addendum VSS-5): the store writer "Microsoft Exchange Writer" (in
``MSExchangeIS``) and, on Exchange 2007, the replication writer "Microsoft Exchange Replica
Writer" (in ``MSExchangeRepl``), on the CCR passive node and on a server with an LCR
storage group. **Both share writer ID {76fe1ac4-15f7-4bcd-987e-8e1acb462fb7}**; their keys
(so their instance IDs) differ. The replica writer backs up only. The store writer restores its own
components; a replica-tree component in a restore is the passive copy's LUNs coming back,
which it does not own (the product then switches the copies, ``exchange_restore.py``).

Components (VSS-7, the 2007 tree by analogy with 2010's, inferred): one selectable storage
group component ``Microsoft Exchange Server\\Microsoft Information Store\\<Server>`` /
``<SG GUID>`` (``…\\Replica\\<Server>`` for the replica writer) with its logs and checkpoint
(``DATABASE_LOGFILES``), and below it one component per database ``…\\<Server>\\<SG GUID>`` /
``<DB GUID>``, selectable for restore only, with its ``.edb`` (and ``.stm``). Exchange 2003
names its components by storage group and database name (inferred). The schema has
DIFFERENTIAL, INCREMENTAL and COPY (vss-and-core.md §2.3, Exchange supports all four types).

Events: PrepareForBackup starts the storage group's backup (one at a time, VC-I19: a second
is ``JET_errBackupInProgress``, a retryable writer error); PrepareForSnapshot checks every
volume of the selected components is in the set (``INCONSISTENTSNAPSHOT``, VSS-14); Freeze /
Thaw / Abort hold the store or the passive copy's replay (``backup.py``); BackupComplete
stamps the headers and truncates logs only when every component of the storage group was
marked successful (VC-I9, VC-I20, VC-P6, VC-P20). PreRestore dismounts the selected
databases, refused for a replicated storage group whose copy is not suspended; PostRestore
mounts them (log replay) unless more restores follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.exchange import backup as B
from apprm_ref.sim.exchange.models import CopyLayout, DatabaseDef, ExchangeError, StorageGroup
from apprm_ref.sim.vss.models import (
    BackupType,
    Component,
    FileRestoreStatus,
    FileSpec,
    RestoreMethod,
    Schema,
    WriterMetadata,
)
from apprm_ref.sim.vss.writers import Event, WriterContext
from apprm_ref.sim.vss.xmldoc import BcdComponent

EXCHANGE_WRITER_ID = "76fe1ac4-15f7-4bcd-987e-8e1acb462fb7"
STORE_WRITER, REPLICA_WRITER = "Microsoft Exchange Writer", "Microsoft Exchange Replica Writer"
SERVICES = {STORE_WRITER: "MSExchangeIS", REPLICA_WRITER: "MSExchangeRepl"}
ROOT = "Microsoft Exchange Server\\Microsoft Information Store"
SCHEMA = int(Schema.DIFFERENTIAL | Schema.INCREMENTAL | Schema.COPY)


def sg_component_name(srv: Any, sg: StorageGroup) -> str:
    return sg.name if srv.version == 2003 else sg.guid


def db_component_name(srv: Any, db: DatabaseDef) -> str:
    return db.name if srv.version == 2003 else db.guid


@dataclass(frozen=True)
class ExchangeWriter:
    """One Exchange writer of one server on one host: the store writer on the node that
    runs the store, the replica writer on the node holding passive copies."""

    world: Any
    server_app: str
    host: str
    name: str  # STORE_WRITER | REPLICA_WRITER

    @property
    def key(self) -> str:
        return f"{EXCHANGE_WRITER_ID}/{self.name}"

    @property
    def service(self) -> str:
        return SERVICES[self.name]

    @property
    def srv(self) -> Any:
        return self.world.app(self.server_app)

    @property
    def replica(self) -> bool:
        return self.name == REPLICA_WRITER

    def storage_groups(self) -> list[tuple[StorageGroup, CopyLayout]]:
        out = []
        for sg in self.srv.storage_groups:
            if sg.recovery:
                continue
            if self.replica and sg.passive is not None and sg.passive.host == self.host:
                out.append((sg, sg.passive))
            elif not self.replica and sg.active.host == self.host:
                out.append((sg, sg.active))
        return out

    # --- Identify -------------------------------------------------------------------------

    def on_identify(self, ctx: WriterContext) -> WriterMetadata:
        srv = self.srv
        root = f"{ROOT}\\Replica\\{srv.server}" if self.replica else f"{ROOT}\\{srv.server}"
        comps: list[Component] = []
        for sg, copy in self.storage_groups():
            sgname = sg_component_name(srv, sg)
            logs = (
                FileSpec(copy.log_path, f"{sg.prefix}*.log", log=True),
                FileSpec(copy.system_path, f"{sg.prefix}.chk", log=True),
            )
            comps.append(
                Component(
                    root,
                    sgname,
                    database=True,
                    files=logs,
                    caption=sg.name,
                    selectable_for_restore=not self.replica,
                    notify_on_backup_complete=True,
                )
            )
            for db in sg.databases:
                files = tuple(FileSpec(*_split(p)) for p in copy.files_of(db))
                comps.append(
                    Component(
                        f"{root}\\{sgname}",
                        db_component_name(srv, db),
                        database=True,
                        files=files,
                        caption=db.name,
                        selectable=False,
                        selectable_for_restore=not self.replica,
                        notify_on_backup_complete=True,
                    )
                )
        return WriterMetadata(
            EXCHANGE_WRITER_ID,
            self.name,
            usage="USER_DATA",
            data_source="TRANSACTION_DB",
            instance_name="Exchange Replication Service"
            if self.replica
            else "Exchange Information Store",
            components=tuple(comps),
            restore_method=RestoreMethod.RESTORE_IF_CAN_REPLACE,
            writer_restore="never" if self.replica else "always",
            service=self.service,
            backup_schema=SCHEMA,
        )

    # --- the other events -----------------------------------------------------------------

    def handle(self, ctx: WriterContext) -> bool:
        step = _STEPS.get(ctx.event)
        if step is None or (self.replica and ctx.event in _RESTORE_EVENTS):
            return True  # the replica writer backs up only (VSS-5)
        try:
            ok = step(self, ctx)
        except ExchangeError as exc:
            code = (
                "VSS_E_WRITERERROR_RETRYABLE"
                if exc.jet == -505
                else "VSS_E_WRITERERROR_NONRETRYABLE"
            )
            self._event(f"{ctx.event.value} failed: {exc.code}: {exc.message}")
            ctx.set_writer_failure(code)
            ok = False
        except ApprmError as exc:
            self._event(f"{ctx.event.value} failed: {exc}")
            ctx.set_writer_failure("VSS_E_WRITERERROR_NONRETRYABLE")
            ok = False
        if not ok and ctx.event in _HOLDING:
            self.abort(ctx)  # a failed writer gets no Abort: it lets go of its groups itself
        return ok

    def _event(self, text: str) -> None:
        self.world.emit("exchange.writer", writer=self.name, host=self.host, text=text)

    def _groups(self, ctx: WriterContext) -> list[tuple[StorageGroup, list[BcdComponent]]]:
        """The storage groups the selected components belong to, with their components."""
        srv = self.srv
        out = []
        for sg, _copy in self.storage_groups():
            sgname = sg_component_name(srv, sg)
            mine = [
                c
                for c in ctx.components
                if c.name == sgname or c.logical_path.endswith(f"\\{sgname}")
            ]
            if mine:
                out.append((sg, mine))
        return out

    def prepare_backup(self, ctx: WriterContext) -> bool:
        kind = ctx.backup_type.name
        begun: list[str] = []
        try:
            for sg, _comps in self._groups(ctx):
                B.begin(self.srv, sg.name, "passive" if self.replica else "active", kind)
                begun.append(sg.name)
        except ExchangeError:
            for name in begun:  # only the ones this backup began (another may hold the rest)
                B.abort(self.srv, name)
            raise
        return True

    def prepare_snapshot(self, ctx: WriterContext) -> bool:
        hosts = self.world.hosts
        in_set = {v.upper().rstrip("\\") for v in ctx.volumes}
        for sg, _comps in self._groups(ctx):
            copy = sg.passive if self.replica else sg.active
            assert copy is not None
            paths = [copy.log_path + "\\x", copy.system_path + "\\x"]
            paths += [p for db in sg.databases for p in copy.files_of(db)]
            for path in paths:
                mp = hosts.mount_of(self.host, path)[0].mount_point
                if mp.upper().rstrip("\\") not in in_set:
                    self._event(f"{path} of {sg.name} is on {mp}, not in the shadow copy set")
                    ctx.set_writer_failure("VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT")
                    return False
        return True

    def freeze(self, ctx: WriterContext) -> bool:
        for sg, _comps in self._groups(ctx):
            B.freeze(self.srv, sg.name)
        return True

    def thaw(self, ctx: WriterContext) -> bool:
        for sg, _comps in self._groups(ctx):
            if sg.name in self.srv.backups:
                B.thaw(self.srv, sg.name)
        return True

    def abort(self, ctx: WriterContext) -> bool:
        for sg, _comps in self._groups(ctx):
            B.abort(self.srv, sg.name)
        return True

    def backup_complete(self, ctx: WriterContext) -> bool:
        for sg, comps in self._groups(ctx):
            if sg.name not in self.srv.backups:
                continue
            ok = all(c.backup_succeeded is True for c in comps)
            if ctx.backup_type in (BackupType.COPY, BackupType.DIFFERENTIAL):
                ok = False  # neither stamps the header nor truncates (VC-I9)
            gone = B.complete(self.srv, sg.name, succeeded=ok)
            self._event(f"{sg.name}: backup complete, {len(gone)} log file(s) truncated")
        return True

    def shutdown(self, ctx: WriterContext) -> bool:
        """BackupShutdown: a backup that got no BackupComplete (COPY, aborted) ends here."""
        for sg, _comps in self.storage_groups():
            bk = self.srv.backups.get(sg.name)
            if bk is not None and bk.copy == ("passive" if self.replica else "active"):
                B.abort(self.srv, sg.name)
        return True

    # --- restore (store writer) -----------------------------------------------------------

    def _restore_targets(
        self, ctx: WriterContext
    ) -> list[tuple[StorageGroup, DatabaseDef, BcdComponent]]:
        srv = self.srv
        out = []
        mine = [c for c in ctx.components if "\\Replica\\" not in f"{c.logical_path}\\"]
        for sg in srv.storage_groups:  # a replica-tree component restores the passive files:
            sgname = sg_component_name(srv, sg)  # not this writer's (the product switches)
            for comp in mine:
                for db in sg.databases:
                    whole = comp.name == sgname
                    if whole or comp.name == db_component_name(srv, db):
                        out.append((sg, db, comp))
        return out

    def pre_restore(self, ctx: WriterContext) -> bool:
        for sg, db, _comp in self._restore_targets(ctx):
            if sg.replication != "none" and not sg.suspended:
                raise ExchangeError(
                    f"{sg.name} is replicated ({sg.replication.upper()}): suspend its copy "
                    "before restoring (Suspend-StorageGroupCopy)",
                    jet=-1003,
                )
            self.srv.dismount(sg.name, db.name)
        return True

    def post_restore(self, ctx: WriterContext) -> bool:
        for sg, db, comp in self._restore_targets(ctx):
            status = comp.file_restore_status
            if status == FileRestoreStatus.ALL and comp.additional_restores:
                continue  # more restores follow: the database stays dismounted
            if status in (FileRestoreStatus.ALL, FileRestoreStatus.NONE):
                self.srv.mount(sg.name, db.name)
        return True


def _split(path: str) -> tuple[str, str]:
    folder, _, name = path.rpartition("\\")
    return folder, name


_RESTORE_EVENTS = (Event.PRE_RESTORE, Event.POST_RESTORE)
_HOLDING = (Event.PREPARE_FOR_SNAPSHOT, Event.FREEZE, Event.THAW, Event.POST_SNAPSHOT)
_STEPS = {
    Event.PREPARE_FOR_BACKUP: ExchangeWriter.prepare_backup,
    Event.PREPARE_FOR_SNAPSHOT: ExchangeWriter.prepare_snapshot,
    Event.FREEZE: ExchangeWriter.freeze,
    Event.THAW: ExchangeWriter.thaw,
    Event.ABORT: ExchangeWriter.abort,
    Event.BACKUP_COMPLETE: ExchangeWriter.backup_complete,
    Event.BACKUP_SHUTDOWN: ExchangeWriter.shutdown,
    Event.PRE_RESTORE: ExchangeWriter.pre_restore,
    Event.POST_RESTORE: ExchangeWriter.post_restore,
}


def writers_of(world: Any, server_app: str, host: str) -> list[ExchangeWriter]:
    """The Exchange writers a server offers on ``host`` (its ``vss_writers``)."""
    srv = world.app(server_app)
    out = []
    if any(sg.active.host == host for sg in srv.storage_groups if not sg.recovery):
        out.append(ExchangeWriter(world, server_app, host, STORE_WRITER))
    if srv.version == 2007 and any(
        sg.passive is not None and sg.passive.host == host for sg in srv.storage_groups
    ):
        out.append(ExchangeWriter(world, server_app, host, REPLICA_WRITER))
    return out
