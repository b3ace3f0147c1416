"""The reference estate as an estate description: one EVA, one XP, one host per database.

Databases alternate between the arrays (even index: EVA, odd: XP), so half are on each.
Each database has its own application host and volume groups (one volume each), so
sessions of different databases never queue on each other (the orchestrator serializes
per application system).

XP: every replicated P-VOL gets three S-VOL LDEVs, paired at MU 0, 1 and 2. Business Copy
allows only MU 0-2 at L1, so the XP replica set is bounded at 3 (the "rotation 7" of the
reference estate becomes 3 on the XP; the EVA keeps 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

XP_MUS = (0, 1, 2)
EVA_ROTATION = 7
XP_ROTATION = len(XP_MUS)
LDEVS_PER_DB = 16  # LDEV numbers reserved per XP database (4 per volume group)


@dataclass(frozen=True)
class VgPlan:
    name: str  # volume group (and LV "lv<name>")
    mount: str
    volume: str  # "array/volume" (estate syntax)
    size_gib: int = 4
    svols: tuple[str, ...] = ()  # XP: S-VOLs for MU 0..2 (empty: not replicated / EVA)


@dataclass(frozen=True)
class DbPlan:
    """Where one database lives."""

    index: int
    name: str
    host: str
    array: str  # "eva1" | "xp1"
    kind: str  # "eva" | "xp"
    vgs: tuple[VgPlan, ...]

    def vg(self, name: str) -> VgPlan:
        return next(v for v in self.vgs if v.name == name)


# (volume group, mount point, replicated, size GiB) of one database
VgShape = tuple[str, str, bool, int]
FILESYSTEM_VGS: tuple[VgShape, ...] = (("data", "/data", True, 4),)


def plan_databases(n: int, vgs: tuple[VgShape, ...] = FILESYSTEM_VGS) -> list[DbPlan]:
    plans = []
    for i in range(n):
        name, host = f"DB{i:03d}", f"dbhost{i:03d}"
        kind = "eva" if i % 2 == 0 else "xp"
        array = f"{kind}1"
        out = []
        for k, (vg, mount, replicated, gib) in enumerate(vgs):
            if kind == "eva":
                out.append(VgPlan(vg, mount, f"eva1/{name.lower()}_{vg}", gib))
                continue
            base = 0x100 + i * LDEVS_PER_DB + k * 4
            svols = tuple(_ldev(base + 1 + m) for m in XP_MUS) if replicated else ()
            out.append(VgPlan(vg, mount, f"xp1/{_ldev(base)}", gib, svols))
        plans.append(DbPlan(i, name, host, array, kind, tuple(out)))
    return plans


def _ldev(n: int) -> str:
    return f"{n >> 8:02X}:{n & 0xFF:02X}"


def estate_dict(
    plans: list[DbPlan], *, files: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """Arrays and hosts for ``plans``; ``files`` (mount -> file list) seeds each filesystem."""
    vdisks, ldevs, pairs = [], [], []
    total_gib = 0
    for p in plans:
        for vg in p.vgs:
            vol, size = vg.volume.partition("/")[2], f"{vg.size_gib}GiB"
            total_gib += vg.size_gib
            if p.kind == "eva":
                vdisks.append(
                    {"name": vol, "disk_group": "DG1", "size": size, "present_to": [p.host]}
                )
                continue
            ldevs.append({"id": vol, "size": size, "present_to": [p.host]})
            for mu, sv in zip(XP_MUS, vg.svols, strict=False):
                ldevs.append({"id": sv, "size": size})
                pairs.append({"pvol": vol, "svol": sv, "mu": mu})
    arrays: list[dict[str, Any]] = []
    if vdisks:
        dg = max(64, total_gib * 16)
        arrays.append(
            {
                "type": "eva",
                "name": "eva1",
                "disk_groups": [{"name": "DG1", "capacity": f"{dg}GiB"}],
                "vdisks": vdisks,
            }
        )
    if ldevs:
        arrays.append({"type": "xp", "name": "xp1", "ldevs": ldevs, "pairs": pairs})
    hosts = [_host(p, files or {}) for p in plans]
    return {"arrays": arrays, "hosts": hosts}


def _host(p: DbPlan, files: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    vgs = []
    for vg in p.vgs:
        lv = {
            "name": f"lv{vg.name}",
            "size": f"{vg.size_gib - 1}GiB",
            "mount": vg.mount,
            "files": files.get(vg.mount, []),
        }
        vgs.append({"name": f"vg{vg.name}", "disks": [vg.volume], "lvs": [lv]})
    return {"name": p.host, "role": "application", "volume_groups": vgs}
