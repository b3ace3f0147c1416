"""The reference estate as an estate description: one EVA, one XP, one host per database.

Databases alternate between the arrays (even index: EVA, odd: XP), so half are on each.
Each database has its own application host and volume group, so sessions of different
databases never queue on each other (the orchestrator serializes per application system).

XP: every P-VOL gets three S-VOL LDEVs, paired at MU 0, 1 and 2. Business Copy allows only
MU 0-2 at L1, so the XP replica set is bounded at 3 (the "rotation 7" of the reference
estate becomes 3 on the XP; EVA keeps 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

XP_MUS = (0, 1, 2)
EVA_ROTATION = 7
XP_ROTATION = len(XP_MUS)


@dataclass(frozen=True)
class DbPlan:
    """Where one database lives."""

    index: int
    name: str
    host: str
    array: str  # "eva1" | "xp1"
    kind: str  # "eva" | "xp"
    disks: tuple[str, ...]  # "array/volume" names of the source volumes (estate syntax)
    mount: str  # mount point of its data filesystem
    svols: tuple[tuple[str, tuple[str, ...]], ...] = ()  # XP: P-VOL -> S-VOLs (MU order)


def plan_databases(n: int, *, volume_gib: int = 4) -> list[DbPlan]:
    plans = []
    for i in range(n):
        name, host = f"DB{i:03d}", f"dbhost{i:03d}"
        if i % 2 == 0:
            disks = (f"eva1/{name.lower()}_data",)
            plans.append(DbPlan(i, name, host, "eva1", "eva", disks, f"/{name.lower()}"))
        else:
            base = 0x100 + i * 8  # P-VOL then its S-VOLs, CU 01..
            pvol = _ldev(base)
            svols = tuple(_ldev(base + 1 + k) for k in range(len(XP_MUS)))
            plans.append(
                DbPlan(
                    i,
                    name,
                    host,
                    "xp1",
                    "xp",
                    (f"xp1/{pvol}",),
                    f"/{name.lower()}",
                    ((pvol, svols),),
                )
            )
    return plans


def _ldev(n: int) -> str:
    return f"{n >> 8:02X}:{n & 0xFF:02X}"


def estate_dict(plans: list[DbPlan], *, volume_gib: int = 4) -> dict[str, Any]:
    """The ``estate`` section (arrays and hosts) for ``plans``; applications come apart."""
    size = f"{volume_gib}GiB"
    vdisks, ldevs, pairs = [], [], []
    for p in plans:
        if p.kind == "eva":
            vol = p.disks[0].partition("/")[2]
            vdisks.append({"name": vol, "disk_group": "DG1", "size": size, "present_to": [p.host]})
            continue
        for pvol, svols in p.svols:
            ldevs.append({"id": pvol, "size": size, "present_to": [p.host]})
            for mu, sv in zip(XP_MUS, svols, strict=True):
                ldevs.append({"id": sv, "size": size})
                pairs.append({"pvol": pvol, "svol": sv, "mu": mu})
    arrays: list[dict[str, Any]] = []
    if vdisks:
        dg = max(64, volume_gib * len(vdisks) * 16)
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
    return {"arrays": arrays, "hosts": [_host(p, volume_gib) for p in plans]}


def _host(p: DbPlan, volume_gib: int) -> dict[str, Any]:
    lv = {
        "name": "lvdata",
        "size": f"{volume_gib - 1}GiB",
        "mount": p.mount,
        "files": [{"path": f"{p.mount}/data.dbf", "size": "64MiB", "fill": "init"}],
    }
    return {
        "name": p.host,
        "role": "application",
        "volume_groups": [{"name": f"vg{p.name.lower()}", "disks": list(p.disks), "lvs": [lv]}],
    }
