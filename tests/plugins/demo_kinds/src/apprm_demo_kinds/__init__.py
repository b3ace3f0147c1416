"""Out-of-tree kinds for apprm-ref, registered through the ``apprm_ref.drivers`` entry points.

``demo``: an array family speaking the snapshot-array protocol on its own simulator backend
(a single-pool array built from the EVA simulator's storage model). ``notes``: an application
kept as files on one mount point; it is in backup mode while that filesystem is frozen.
Nothing in apprm_ref names either kind: the descriptors below are the whole contract.
"""

from __future__ import annotations

from apprm_ref.drivers.kinds import Application, ArrayFamily, DriverDecl, FailureKind, Rpo

DEMO = ArrayFamily(
    name="demo",
    protocol="snapshot-array",
    config="apprm_demo_kinds.array:DemoArrayCfg",
    builder="apprm_demo_kinds.array:build_demo",
    drivers=(
        DriverDecl(
            "sim-demo",
            "apprm_demo_kinds.array:DemoDriver",
            simulator=True,
            subject="apprm_demo_kinds.array:demo_subject",
        ),
    ),
    replication="apprm_ref.core.replication.snapshot:SnapshotReplication",
    restore_methods=("switch", "copy-back"),
    persisted=("apprm_demo_kinds.array",),
    needs="apprm_ref.core.replication.snapshot_options:needs",
    failures=(
        FailureKind("lost_volume", ("array", "volume"), "apprm_ref.drill.failures:lose_vdisk"),
    ),
)

NOTES = Application(
    name="notes",
    integration="apprm_demo_kinds.notes:NotesIntegration",
    recovery_options="apprm_ref.core.integrations.base:RecoveryOptions",
    rpo=Rpo.REPLICA,
    config="apprm_demo_kinds.notes:NotesCfg",
    builder="apprm_demo_kinds.notes:build_notes",
    backup_mode="apprm_demo_kinds.notes:in_backup_mode",
    drivers=(DriverDecl("sim-notes", "apprm_demo_kinds.notes:NotesDriver", simulator=True),),
    persisted=("apprm_demo_kinds.notes",),
    failures=(FailureKind("erased_note", ("app", "file"), "apprm_demo_kinds.notes:erase_note"),),
)
