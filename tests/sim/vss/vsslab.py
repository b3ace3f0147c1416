"""A small VSS lab for the tests: EVA and XP volumes on a Windows host ``win1``, a backup
host ``winbk``, VSS on both with the EVA and XP hardware providers, and an application
whose writer can be told to stall, veto or fail (the SQL/Exchange writers are elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.build import build_world
from apprm_ref.sim.estate import Estate
from apprm_ref.sim.vss.backend import vss_service
from apprm_ref.sim.vss.estate import VssCfg, build_vss
from apprm_ref.sim.vss.models import Component, FileSpec, RestoreMethod, WriterMetadata
from apprm_ref.sim.vss.writers import Event, WriterContext

GIB = 1024**3

ESTATE = {
    "arrays": [
        {
            "type": "eva",
            "name": "eva1",
            "disk_groups": [{"name": "DG1", "capacity": 2 * 1024 * GIB}],
            "vdisks": [
                {"name": "data1", "disk_group": "DG1", "size": 16 * GIB, "present_to": ["win1"]},
                {"name": "logs1", "disk_group": "DG1", "size": 8 * GIB, "present_to": ["win1"]},
            ],
        },
        {
            "type": "xp",
            "name": "xp1",
            "ldevs": [
                {"id": "00:10", "size": 8 * GIB, "present_to": ["win1"]},
                {"id": "00:20", "size": 8 * GIB},
                {"id": "00:21", "size": 8 * GIB},
                {"id": "00:22", "size": 8 * GIB},
                {"id": "00:23", "size": 8 * GIB},
            ],
            "pairs": [
                {"pvol": "00:10", "svol": "00:20", "mu": 0},
                {"pvol": "00:10", "svol": "00:21", "mu": 1},
                {"pvol": "00:10", "svol": "00:22", "mu": 2},
            ],
        },
    ],
    "hosts": [
        {
            "name": "win1",
            "os": "windows",
            "storage": "windows",
            "disks": [
                {
                    "disk": "eva1/data1",
                    "partitions": [
                        {
                            "size": 12 * GIB,
                            "mount": "E:",
                            "files": [{"path": "E:\\app\\data.mdf", "size": 4 << 20, "fill": "v1"}],
                        }
                    ],
                },
                {
                    "disk": "eva1/logs1",
                    "partitions": [
                        {
                            "size": 4 * GIB,
                            "mount": "F:",
                            "files": [{"path": "F:\\app\\data.ldf", "size": 2 << 20, "fill": "v1"}],
                        }
                    ],
                },
                {
                    "disk": "xp1/00:10",
                    "partitions": [
                        {
                            "size": 4 * GIB,
                            "mount": "G:",
                            "files": [{"path": "G:\\files\\a.txt", "size": 1 << 20, "fill": "v1"}],
                        }
                    ],
                },
            ],
        },
        {"name": "winbk", "os": "windows", "storage": "windows", "role": "backup"},
    ],
}

APP_ID = "0b1a2c3d-0000-4000-8000-000000000001"


@dataclass(eq=False)
class AppWriter:
    """A database-like writer with one component on E: and F:, driven by the test."""

    host: str = "win1"
    timeout_ms: int = 60000
    method: RestoreMethod = RestoreMethod.RESTORE_IF_NOT_THERE
    writer_restore: str = "always"
    alternates: tuple[FileSpec, ...] = ()
    stall: dict[str, float] = field(default_factory=dict)  # event -> seconds
    veto: dict[str, str] = field(default_factory=dict)  # event -> writer error ("" = False)
    seen: list[tuple[str, Any]] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{APP_ID}/Sim App Writer"

    @property
    def service(self) -> str:
        return "SimApp"

    def on_identify(self, ctx: WriterContext) -> WriterMetadata:
        comp = Component(
            "SIMHOST",
            "appdb",
            files=(FileSpec("E:\\app", "data.mdf"), FileSpec("F:\\app", "data.ldf")),
            notify_on_backup_complete=True,
        )
        return WriterMetadata(
            APP_ID,
            "Sim App Writer",
            usage="USER_DATA",
            data_source="TRANSACTION_DB",
            components=(comp,),
            restore_method=self.method,
            writer_restore=self.writer_restore,
            alternate_mappings=self.alternates,
            backup_schema=0x10,
            freeze_timeout_ms=self.timeout_ms,
        )

    def handle(self, ctx: WriterContext) -> bool:
        self.seen.append((ctx.event.value, ctx.backup_type))
        ctx.stall(self.stall.get(ctx.event.value, 0.0))
        if ctx.event.value in self.veto:
            code = self.veto[ctx.event.value]
            if code:
                ctx.set_writer_failure(code)
            return False
        if ctx.event == Event.BACKUP_COMPLETE:
            self.truncated += [c.name for c in ctx.components if ctx.truncation_allowed(c)]
        return True


@dataclass(eq=False)
class AppBackend:
    """An application backend offering one writer on win1 (not persisted)."""

    name: str = "simapp"
    writer: AppWriter = field(default_factory=AppWriter)
    world: Any = None
    kind = "simapp"

    def attach(self, world: Any) -> None:
        self.world = world

    def check_invariants(self) -> list[str]:
        return []

    def vss_writers(self, host: str) -> list[AppWriter]:
        return [self.writer] if host == self.writer.host else []


def make_world(*, app: bool = True, seed: int = 0, **provider_opts: Any) -> Any:
    world = build_world(Estate.model_validate(ESTATE), seed)
    providers = [
        {"type": "eva", **provider_opts.get("eva", {})},
        {"type": "xp", **provider_opts.get("xp", {})},
    ]
    build_vss(world, VssCfg(type="vss", hosts=["win1", "winbk"], providers=providers))
    if app:
        world.add_app(AppBackend())
    return world


def service(world: Any, host: str = "win1") -> Any:
    return vss_service(world, host)


def app_writer(world: Any) -> AppWriter:
    return world.apps["simapp"].writer


PERSISTENT = 0x1 | 0x8  # VSS_VOLSNAP_ATTR_PERSISTENT | NO_AUTO_RELEASE


def create_set(world: Any, *volumes: str, context: int = PERSISTENT, provider: str = "") -> Any:
    """A writer-less shadow-copy set of ``volumes`` (requester released); the requester."""
    from apprm_ref.sim.vss.creation import run
    from apprm_ref.sim.vss.requester import BackupComponents

    req = BackupComponents(service(world))
    req.initialize_for_backup()
    req.set_context(context)
    req.set_backup_state(False)
    req.gather_writer_metadata()
    req.start_snapshot_set()
    for v in volumes:
        req.add_to_snapshot_set(v, provider)
    req.prepare_for_backup()
    job = run(req.do_snapshot_set())
    req.release()
    return req, job


def prepared(
    world: Any, *volumes: str, context: int = 0, kind: Any = None, component: bool = True
) -> Any:
    """A requester with the app writer's component (and ``volumes``) prepared for backup,
    ready for DoSnapshotSet."""
    from apprm_ref.sim.vss.models import BackupType
    from apprm_ref.sim.vss.requester import BackupComponents

    req = BackupComponents(service(world))
    req.initialize_for_backup()
    if context:
        req.set_context(context)
    req.set_backup_state(True, False, kind or BackupType.FULL)
    req.gather_writer_metadata()
    if component:
        req.add_component(APP_ID, "SIMHOST", "appdb")
    req.start_snapshot_set()
    for v in volumes:
        req.add_to_snapshot_set(v)
    req.prepare_for_backup()
    return req
