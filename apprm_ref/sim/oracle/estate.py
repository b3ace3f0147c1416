"""A ready-made Oracle estate for tests, drills and examples.

``build_estate(seed)`` makes a world with one host ``db1``, a :class:`PlainArray` (a minimal
BlockStore test double: volumes of extents presented to hosts, plus ``snap``/``restore``, the
two operations instant recovery needs) with three volumes -- ``vdata`` (datafiles),
``vctl`` (control files, online logs, SPFILE), ``varch`` (archived logs) -- one volume group,
LV and filesystem per volume, and database ``PRD`` created OPEN on them.
:func:`layout_host` does the host part for any array (EVA, XP) that implements BlockStore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.persist import persistable
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.models import OracleLayout, simple_layout
from apprm_ref.sim.storage import VolumeData
from apprm_ref.sim.world import World


@persistable("oracle.PlainArray")
@dataclass(eq=False)
class PlainArray:
    name: str = "plain"
    volumes: dict[str, VolumeData] = field(default_factory=dict)
    luns: dict[str, list[str]] = field(default_factory=dict)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    def attach(self, world: Any) -> None:
        self.world = world

    def check_invariants(self) -> list[str]:
        return []

    def add(self, volume: str, extents: int, host: str) -> None:
        self.volumes[volume] = VolumeData(extents)
        self.luns.setdefault(host, []).append(volume)

    def host_luns(self, host: str) -> list[tuple[int, str]]:
        return list(enumerate(self.luns.get(host, [])))

    def volume_wwn(self, volume: str) -> str:
        return f"6001{sum(map(ord, volume)):012x}{volume}"

    def volume_extents(self, volume: str) -> int:
        return self.volumes[volume].size_extents

    def block_read(self, volume: str, extent: int) -> Any:
        return self.volumes[volume].read(extent)

    def block_read_run(self, volume: str, start: int, count: int) -> tuple[Any, ...]:
        return self.volumes[volume].read_run(start, count) if count > 0 else ()

    def block_write(self, volume: str, items: dict[int, Any], *, host: str) -> None:
        self.volumes[volume].write_many(items)

    def snap(self, volumes: list[str]) -> dict[str, VolumeData]:
        return {v: self.volumes[v].point_in_time_copy() for v in volumes}

    def restore(self, copies: dict[str, VolumeData]) -> None:
        for v, data in copies.items():
            self.volumes[v].replace_content(data)


MOUNTS = (
    ("vdata", "vgdata", "/oradata"),
    ("vctl", "vgctl", "/oractl"),
    ("varch", "vgarch", "/oraarch"),
)


@dataclass
class Estate:
    world: World
    array: PlainArray
    db: OracleDatabase
    host: str = "db1"

    def unmount_all(self, volumes: tuple[str, ...] = ("vdata",)) -> None:
        for vol, vg, mp in MOUNTS:
            if vol in volumes:
                self.world.hosts.unmount(self.host, mp)
                self.world.hosts.deactivate_vg(self.host, vg)

    def mount_all(self, volumes: tuple[str, ...] = ("vdata",)) -> None:
        for vol, vg, mp in MOUNTS:
            if vol in volumes:
                self.world.hosts.activate_vg(self.host, vg)
                self.world.hosts.mount(self.host, vg, "lv1", mp)

    def instant_recovery(self, copies: dict[str, VolumeData]) -> None:
        """What IR does to the host: unmount, put the replica back, remount."""
        vols = tuple(copies)
        self.unmount_all(vols)
        self.array.restore(copies)
        self.mount_all(vols)


def build_estate(
    seed: int = 1, layout: OracleLayout | None = None, *, extents: int = 4000
) -> Estate:
    """World + PlainArray + host ``db1`` + database ``PRD`` (OPEN, ARCHIVELOG)."""
    world = World(seed)
    array = PlainArray()
    for vol, _, _ in MOUNTS:
        array.add(vol, extents, "db1")
    world.add_array(array)
    world.hosts.add_host("db1")
    layout_host(world, "db1", {vol: (vg, mp) for vol, vg, mp in MOUNTS})
    db = OracleDatabase.create(world, "PRD", "db1", layout or simple_layout())
    return Estate(world, array, db)


def layout_host(world: World, host: str, volumes: dict[str, tuple[str, str]]) -> None:
    """For each presented array volume: a volume group, LV ``lv1`` over it, a filesystem,
    mounted at the given mount point. ``volumes``: volume id -> (vg name, mount point)."""
    hosts = world.hosts
    devs = {d.volume: d for d in hosts.rescan(host)}
    for vol, (vg, mp) in volumes.items():
        dev = devs[vol]
        extents = world.arrays[dev.array].volume_extents(vol)
        hosts.create_vg(host, vg, [dev.name])
        hosts.create_lv(host, vg, "lv1", extents - 2)
        hosts.mkfs(host, vg, "lv1")
        hosts.mount(host, vg, "lv1", mp)


APP_KEYS = {
    "type",
    "name",
    "host",
    "data_mount",
    "redo_mount",
    "arch_mount",
    "spfile_mount",
    "tablespaces",
    "files_per_ts",
    "blocks",
    "groups",
    "log_blocks",
    "log_mode",
    "track_history",
    "users",
    "control_files",
    "spfile",
}


def build_oracle(world: World, app: dict[str, Any]) -> OracleDatabase:
    """An ``applications:`` entry of an estate file -> a database created OPEN on its host.

    Keys: ``name``, ``host`` (required); ``data_mount`` (/oradata), ``redo_mount`` (/oractl:
    control files, online logs, SPFILE), ``arch_mount`` (/oraarch), ``spfile_mount``,
    ``tablespaces`` ([SYSTEM, USERS], one table ``T_<ts>`` each), ``files_per_ts`` (1),
    ``blocks`` (8 per datafile), ``groups`` (3), ``log_blocks`` (8), ``log_mode``
    (ARCHIVELOG), ``control_files`` (list of paths), ``spfile`` (path), ``track_history``
    (true), ``users`` ({user: password}, default sys/change_on_install, system/manager).
    """
    from dataclasses import replace

    from apprm_ref.errors import ConfigError

    unknown = sorted(set(app) - APP_KEYS)
    if unknown:
        raise ConfigError(f"unknown Oracle application key {unknown[0]!r}", field="applications")
    for key in ("name", "host"):
        if not app.get(key):
            raise ConfigError(f"an Oracle application needs {key!r}", field=f"applications.{key}")
    kw = {
        k: app[k]
        for k in ("data_mount", "redo_mount", "arch_mount", "spfile_mount", "files_per_ts",
                  "blocks", "groups", "log_blocks")
        if k in app
    }  # fmt: skip
    if "tablespaces" in app:
        kw["tablespaces"] = tuple(str(t).upper() for t in app["tablespaces"])
    layout = simple_layout(**kw)
    if "control_files" in app:
        layout = replace(layout, control_files=tuple(app["control_files"]))
    if "spfile" in app:
        layout = replace(layout, spfile=app["spfile"])
    if "log_mode" in app:
        layout = replace(layout, log_mode=str(app["log_mode"]).upper())
    return OracleDatabase.create(
        world,
        str(app["name"]),
        str(app["host"]),
        layout,
        users=app.get("users"),
        track_history=bool(app.get("track_history", True)),
    )
