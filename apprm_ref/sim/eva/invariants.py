"""ARR-I1..ARR-I8 checked over the EVA's state at any moment (arrays.md section 6)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from apprm_ref.sim.eva.models import VdiskKind, VdiskState, snapshot_limit

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend


def eva_problems(b: EvaBackend) -> list[str]:
    out: list[str] = []
    for vid in sorted(b.vdisks):
        out.extend(_vdisk_problems(b, vid))
    out.extend(_source_problems(b))
    out.extend(_space_problems(b))
    out.extend(_lun_problems(b))
    if len(b.vdisks) > b.max_vdisks:
        out.append(f"ARR-I4: {len(b.vdisks)} vdisks exceed the maximum {b.max_vdisks}")
    wwns = [v.wwn for v in b.vdisks.values()]
    if len(set(wwns)) != len(wwns):
        out.append("WWNs are not unique")
    return out


def _vdisk_problems(b: EvaBackend, vid: str) -> list[str]:
    v, out = b.vdisks[vid], []
    if v.id != vid:
        out.append(f"{vid}: stored under the wrong id {v.id}")
    if v.is_target and v.source is None:
        out.append(f"ARR-I1: target {vid} has no source")
    if not v.is_target and v.source is not None:
        out.append(f"ARR-I1: original {vid} has a source")
    src = b.vdisks.get(v.source) if v.source else None
    if v.kind.is_snapshot and v.state != VdiskState.INVALID:
        if src is None:
            out.append(f"ARR-I7: snapshot {vid} has lost its source but is not invalid")
        else:
            if src.kind.is_snapshot:
                out.append(f"ARR-I1: the source of {vid} is itself a snapshot")
            if v.disk_group != src.disk_group or v.vraid.rank > src.vraid.rank:
                out.append(f"ARR-I3: snapshot {vid} breaks the disk group / Vraid rule")
    if v.kind == VdiskKind.SNAPCLONE and v.normalizing and src is None:
        out.append(f"ARR-I7: normalizing snapclone {vid} lost its source")
    if (v.copy is not None) != (v.normalizing or v.restoring):
        out.append(f"{vid}: background copy does not match its state")
    if v.is_target and not v.host_written and v.data.delta:
        out.append(f"ARR-I6: content of target {vid} changed without a host write")
    if v.kind != VdiskKind.VSNAP and v.cow:
        out.append(f"{vid}: only vsnaps allocate copy-on-write extents")
    return out


def _lun_problems(b: EvaBackend) -> list[str]:
    """LUN numbers are per host: two vdisks never share one LUN of the same host."""
    seen: dict[tuple[str, int], str] = {}
    out = []
    for vid in sorted(b.vdisks):
        for host, lun in sorted(b.vdisks[vid].presentations.items()):
            other = seen.setdefault((host, lun), vid)
            if other != vid:
                out.append(f"{vid} and {other}: both LUN {lun} of host {host}")
    return out


def _source_problems(b: EvaBackend) -> list[str]:
    out: list[str] = []
    by_source: dict[str, list] = defaultdict(list)
    for vid in sorted(b.vdisks):
        v = b.vdisks[vid]
        if v.source is not None and v.source in b.vdisks:
            by_source[v.source].append(v)
    for sid in sorted(by_source):
        targets = by_source[sid]
        snaps = [t for t in targets if t.kind.is_snapshot and t.state != VdiskState.INVALID]
        cloning = [t for t in targets if t.normalizing]
        if len(cloning) > 1 or (
            cloning and snaps and max(s.created_at for s in snaps) > cloning[0].created_at
        ):
            out.append(f"ARR-I2: {sid} got new targets while a snapclone was normalizing")
        if len({(s.kind, s.vraid) for s in snaps}) > 1:
            out.append(f"ARR-I2: snapshots of {sid} mix allocation types or Vraid")
        if len(snaps) > snapshot_limit(b.vdisks[sid].size_bytes):
            out.append(f"ARR-I4: {sid} has {len(snaps)} snapshots, above its limit")
    return out


def _space_problems(b: EvaBackend) -> list[str]:
    out: list[str] = []
    used: dict[str, int] = {}  # recomputed here, not read from the backend's running total
    for v in b.vdisks.values():
        used[v.disk_group] = used.get(v.disk_group, 0) + v.allocated_raw()
    for name in sorted(b.disk_groups):
        free = b.disk_groups[name].capacity_extents - used.get(name, 0)
        if free < 0:
            out.append(f"ARR-I5: disk group {name} is over-allocated by {-free} extents")
    for vid in sorted(b.vdisks):
        v = b.vdisks[vid]
        # a vsnap fails for space (E11); a snapclone only when its normalization fails
        if v.state == VdiskState.FAILED and v.kind not in (VdiskKind.VSNAP, VdiskKind.SNAPCLONE):
            out.append(f"ARR-I5: only vsnaps fail for space, not {vid}")
    return out
