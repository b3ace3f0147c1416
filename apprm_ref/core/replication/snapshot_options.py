"""EVA backup options (``arrays.md`` §2.4), validated when a specification is created.

Keys of the spec's ``replication`` mapping (backup-system mount options are split off
before, by ``planner.split_mount_options``):

=====================  =====================================================  ==========
key                    meaning                                                default
=====================  =====================================================  ==========
snapshot_type          standard | vsnap | snapclone (``clone`` accepted)      standard*
snapshot_policy        strict | loose                                         strict
replicas               number of replicas rotated, 1..50*                     1*
keep_for_ir            keep (track) the replica for instant recovery          true*
keep_replica           keep the replica after the backup (forced by IR)       true
wait_clonecopy         minutes to hold the session end for unsharing (clone)  none
snapclone_vraid        vraid0/1/5/6 for snapclones (clone only)               source's*
snapclone_disk_group   disk group for snapclones (clone only)                 source's*
replica_conf           local | combined (CA+BC: sources are CA destinations)  local*
ca_override            back up CA destinations whatever the DR group state*   false*
retain_source_on_ir    keep the pre-IR source for forensics (§2.7 option)     false*
=====================  =====================================================  ==========

``*`` marks **(inferred)** defaults or bounds, configurable here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.replication.options import boolean, choice, reject_unknown
from apprm_ref.drivers.capabilities import Capability
from apprm_ref.errors import ConfigError
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import ReplicaType

MAX_REPLICAS = 50  # (inferred) the DP upper bound was not confirmed (§2.4)
TYPES = {
    "standard": ReplicaType.SNAPSHOT,
    "snapshot": ReplicaType.SNAPSHOT,
    "vsnap": ReplicaType.VSNAP,
    "snapclone": ReplicaType.SNAPCLONE,
    "clone": ReplicaType.SNAPCLONE,
}
VRAIDS = ("vraid0", "vraid1", "vraid5", "vraid6")
KEYS = (
    "snapshot_type",
    "snapshot_policy",
    "replicas",
    "keep_for_ir",
    "keep_replica",
    "wait_clonecopy",
    "snapclone_vraid",
    "snapclone_disk_group",
    "replica_conf",
    "ca_override",
    "retain_source_on_ir",
)


@fast_init
@dataclass(frozen=True)
class EvaOptions:
    snapshot_type: ReplicaType = ReplicaType.SNAPSHOT
    policy: str = "strict"
    replicas: int = 1
    keep_for_ir: bool = True
    keep_replica: bool = True
    wait_clonecopy_min: float | None = None
    snapclone_vraid: str | None = None
    snapclone_disk_group: str | None = None
    replica_conf: str = "local"
    ca_override: bool = False
    retain_source_on_ir: bool = False


def needs(opts: EvaOptions) -> frozenset[Capability]:
    """The capabilities these options require of the array's driver (EXT-I4)."""
    out = {Capability(opts.snapshot_type.value)}
    if opts.replica_conf == "combined":
        out.add(Capability.CA_EVA)
    if opts.retain_source_on_ir:
        out.add(Capability.RETAIN_SOURCE)
    return frozenset(out)


def parse_eva_options(raw: dict[str, Any], *, spec_name: str) -> EvaOptions:
    reject_unknown(raw, KEYS, "EVA")
    kind = TYPES[choice(raw, "snapshot_type", tuple(TYPES), "standard")]
    policy = choice(raw, "snapshot_policy", ("strict", "loose"), "strict")
    replicas = raw.get("replicas", 1)
    if (
        isinstance(replicas, bool)
        or not isinstance(replicas, int)
        or not 1 <= replicas <= MAX_REPLICAS
    ):
        raise ConfigError(f"must be a whole number 1..{MAX_REPLICAS}", field="replication.replicas")
    track = boolean(raw, "keep_for_ir", True)
    keep = boolean(raw, "keep_replica", True)
    if track and not keep:
        raise ConfigError(
            "keeping the replica is forced on while it is kept for instant recovery",
            field="replication.keep_replica",
        )
    clone_only = [
        k for k in ("wait_clonecopy", "snapclone_vraid", "snapclone_disk_group") if k in raw
    ]
    if clone_only and kind != ReplicaType.SNAPCLONE:
        raise ConfigError(
            "only valid with snapshot_type snapclone", field=f"replication.{clone_only[0]}"
        )
    wait = raw.get("wait_clonecopy")
    if wait is not None and (
        isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0
    ):
        raise ConfigError("must be a number of minutes >= 0", field="replication.wait_clonecopy")
    group = raw.get("snapclone_disk_group")
    if group is not None and (not isinstance(group, str) or not group):
        raise ConfigError("must be a disk group name", field="replication.snapclone_disk_group")
    return EvaOptions(
        snapshot_type=kind,
        policy=policy,
        replicas=replicas,
        keep_for_ir=track,
        keep_replica=keep,
        wait_clonecopy_min=None if wait is None else float(wait),
        snapclone_vraid=choice(raw, "snapclone_vraid", VRAIDS, None),
        snapclone_disk_group=group,
        replica_conf=choice(raw, "replica_conf", ("local", "combined"), "local"),
        ca_override=boolean(raw, "ca_override", False),
        retain_source_on_ir=boolean(raw, "retain_source_on_ir", False),
    )
