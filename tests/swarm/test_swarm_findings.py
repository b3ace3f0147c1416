"""What the 200-seed swarm over the shipped scenarios found, each kept as a regression test:
the failing seed's exact plan (sites, rates, firings; its timing knobs come from the seed)
now holds every safety and liveness check (REL-I1, REL-P1). Found at e588faa with
``apprm swarm run scenarios/*.yaml --seeds 200`` (102 of 4,000 runs failed)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from apprm_ref.drill.loader import load_scenario
from apprm_ref.sim.faults import FaultRule
from apprm_ref.swarm.checks import SwarmDrill
from apprm_ref.swarm.plan import ArmedSite, SwarmPlan, draw_knobs
from apprm_ref.types import Severity

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def _replay(scenario: str, seed: int, *armed: tuple[str, float, int] | FaultRule) -> SwarmDrill:
    """The seed's run under ``armed``: its plan's sites, or a rule pinned to the one write
    the seed's fault hit (a fix that moves IDB writes moves the seed's draws too)."""
    path = str(SCENARIOS / f"{scenario}.yaml")
    knobs = draw_knobs(random.Random(f"apprm-swarm-knobs:{seed}"))
    sites = tuple(ArmedSite(*a) for a in armed if not isinstance(a, FaultRule))
    drill = SwarmDrill(
        load_scenario(path), path=path, plan=SwarmPlan(seed, sites, knobs), seed=seed
    )
    for rule in (a for a in armed if isinstance(a, FaultRule)):
        drill.world.fault_plan.arm(rule)
    drill.run_swarm()
    return drill


def _texts(drill: SwarmDrill) -> list[str]:
    return [m.text for s in drill.repo.list_sessions() for m in s.messages]


# (scenario, seed, plan, what the product now says where it used to break the estate)
FOUND = [
    # a wrong check in the swarm, not the product: END BACKUP failed (reported Critical),
    # then the scenario's own ``fail:`` step corrupted a datafile and no backup exists, so
    # the DBA's END BACKUP repair cannot work (ORA-01157); only media recovery could
    ("oracle-fault-in-backup-mode", 25, [("oracle.end_backup", 0.35, 2)], "still in backup mode"),
    # an IDB refusing the rotation's write after the array deleted the old replica's
    # targets: the IDB called it active, its targets were gone (missing)
    ("eva-rotation-vsnap", 45, [("idb.commit", 0.15, 3)], "injected fault at idb.commit"),
    # the same on XP: the MU was resynced before the IDB dropped its replica (its S-VOLs
    # changed under an active replica: identity-changed)
    ("xp-rotation-mu", 17, [("idb.commit", 0.05, 3)], "injected fault at idb.commit"),
    # a lost pairsplit reply while splitting the IR's safety copies: the S-VOLs stayed
    # split, tracked by nobody (orphans)
    (
        "xp-ir-normal",
        187,
        [
            ("host.freeze", 0.05, 3),
            ("oracle.begin_backup", 0.35, 3),
            ("xp.split_reply_lost", 0.7, 3),
        ],
        "XP restore refused: EX_ATTHOR",
    ),
    # a copy-back failing to start on the second volume after the first started: the array
    # deleted the first target when its copy ended, the IDB kept the replica active
    ("quickstart", 188, [("eva.restore", 0.7, 1)], "those sources hold the replica's data"),
    # after a switch of disks the IDB refused repointing the other snapclone replica
    # (wrong-source), and the undo re-activated hosts on volumes that no longer exist
    (
        "eva-ir-switch",
        183,
        [FaultRule("idb.disk_full", match={"replica": "fs_data#1"}, at_or_after=43000.0)],
        "The IDB refused repointing replica fs_data#1 (targets vd0003, vd0004)",
    ),
    # a finished copy-back whose final IDB write failed: targets gone, replica active
    (
        "oracle-fault-in-backup-mode",
        183,
        [FaultRule("idb.disk_full", match={"replica": "ora_prd#1"}, nth=3)],  # the last write
        "The IDB refused recording replica",
    ),
    # a snapclone of the older replica failed to normalize (replica marked invalid), then a
    # switch of disks from the newer one: the array repointed both clones of the invalid
    # replica to the recovered volumes, the IDB left them on the old sources (wrong-source)
    (
        "eva-ir-switch",
        154,
        [("eva.normalize_fail", 0.05, 3), ("idb.disk_full", 0.35, 1), ("xp.pairsplit", 0.15, 3)],
        "The IDB refused repointing replica fs_data#1 (targets vd0003, vd0004)",
    ),
    # a switch refused on the second volume after the first switched: the replica was
    # recorded consumed with a target still on the array (orphan), and the other replica's
    # clone of the switched source was left on the old one in the IDB (wrong-source)
    ("vss-filesystem-session-ir", 188, [("eva.restore", 0.7, 1)], "after eva1:vd0001 (now vd0005)"),
    ("exchange-2003-eva-ir", 188, [("eva.restore", 0.7, 1)], "moved to the purge list with its"),
    # after a switch the IDB refused the repoint and then the replica's final write, which
    # carried the switch: the promised repoint by the next session had nothing to apply
    (
        "vss-filesystem-session-ir",
        103,
        [
            ("host.thaw", 0.7, 1),
            ("idb.commit", 0.7, 3),
            ("oracle.delete_archive", 0.35, 1),
            ("xp.copy_psue", 0.35, 2),
        ],
        "the next session of fs_vss repoints it",
    ),
]

# Found at 6f8858c by ``apprm swarm run`` over the XP scenarios (200 seeds each; 25 of 1,600
# runs failed), and two plans built from the classes ``docs/faults.md`` left open.
FOUND_XP = [
    # an IDB refusing the new replica's write: the undo resynced the split MU and the array
    # suspended one copy (PSUE); the undo called itself done, the S-VOL was an orphan
    (
        "xp-rotation-mu",
        103,
        [
            ("host.thaw", 0.7, 1),
            ("idb.commit", 0.7, 3),
            ("oracle.delete_archive", 0.35, 1),
            ("xp.copy_psue", 0.35, 2),
        ],
        "Undo 'pairresync MU#0' failed: XP_PAIR_SUSPENDED",
    ),
    # a lost pairsplit reply, then the undo's resync suspended (PSUE): the same orphan
    (
        "xp-rotation-mu",
        0,
        [("xp.copy_psue", 0.5, 3), ("xp.split_reply_lost", 0.5, 2)],
        "Undo 'pairresync MU#1' failed: XP_PAIR_SUSPENDED",
    ),
    # the final IDB write of an IR that keeps its replica (seed 17's idb.commit, pinned to
    # that write): the IDB kept the identity of the first split (identity-changed)
    (
        "sap-offline-split-xp",
        17,
        [FaultRule("idb.commit", match={"replica": "sap_prd#1"}, at_or_after=7801.0)],
        "The IDB refused recording replica sap_prd#1 as active",
    ),
    # the keep split refused after the restore: the IDB called the replica active, its MU
    # followed the source (identity-changed)
    (
        "sap-offline-split-xp",
        76,
        [("eva.reply_slow", 0.05, 2), ("xp.pairsplit", 0.35, 1)],
        "Replica sap_prd#1 not kept",
    ),
    # a reverse resync aborting with no safety copy: the pairs that settled were never
    # split again, so the replica's identity changed under the IDB
    ("sap-offline-split-xp", 79, [("xp.restore_abort", 0.15, 3)], "Restore failed part-way"),
    # the same in a VSS session on XP
    (
        "vss-sql-xp-resync-rotation",
        193,
        [("vss.backup_complete", 0.15, 2), ("vss.identify", 0.05, 3), ("xp.restore_abort", 0.7, 3)],
        "Restore failed part-way",
    ),
    # a reverse resync aborting, then the rollback from the safety copies refused: the
    # safety and borrowed S-VOLs stayed split, reported by nobody (orphans)
    (
        "xp-ir-normal",
        10,
        [("xp.restore_abort", 0.7, 1), ("xp.restore", 0.5, 2)],
        "was not rolled back",
    ),
]


@pytest.mark.rule("REL-I1")
@pytest.mark.rule("REL-P1")
@pytest.mark.parametrize(
    ("scenario", "seed", "armed", "said"),
    FOUND + FOUND_XP,
    ids=[f"{s}-{n}" for s, n, *_ in FOUND + FOUND_XP],
)
def test_a_seed_the_swarm_found_failing_now_holds(scenario, seed, armed, said):  # type: ignore[no-untyped-def]
    drill = _replay(scenario, seed, *armed)
    sites = {a.site if isinstance(a, FaultRule) else a[0] for a in armed}
    assert {f.site for f in drill.world.fault_plan.log} & sites
    assert drill.violations == []
    assert any(said in t for t in _texts(drill)), said


@pytest.mark.rule("REL-I1")
@pytest.mark.rule("ARR-P5")
def test_an_invalid_snapclone_replica_follows_a_switch_of_disks():  # type: ignore[no-untyped-def]
    """The failed clone alone (no IDB fault): the switch repoints the invalid replica in
    the IDB as the array repointed its clones, so it can still be reconciled and deleted."""
    drill = _replay(
        "eva-ir-switch", 154, FaultRule("eva.normalize_fail", match={"volume": "vd0004"})
    )
    assert [f.site for f in drill.world.fault_plan.log] == ["eva.normalize_fail"]
    assert drill.violations == []
    invalid = drill.repo.get_replica("fs_data#1")
    assert invalid.status == "invalid"
    eva = drill.world.arrays["eva1"]
    for t in invalid.targets:
        clone = eva.vdisks[t.target.volume]
        assert clone.source == t.source.volume  # the recovered volume, on both sides
    assert {t.source.volume for t in invalid.targets} == {"vd0005", "vd0006"}
    assert eva.vdisks["vd0004"].state.value == "failed"


def _final_write_refused(*before: FaultRule) -> SwarmDrill:
    """eva-ir-switch with the IR's final IDB write refused (its third write of fs_data#2
    from 12 h on: the consumed write-ahead, the switch's own write, the final one)."""
    final = FaultRule("idb.commit", match={"replica": "fs_data#2"}, at_or_after=40000.0, nth=3)
    return _replay("eva-ir-switch", 0, *before, final)


def _switch_fault(source: str) -> FaultRule:
    return FaultRule("eva.restore", match={"source": source, "method": "switch"})


@pytest.mark.rule("REL-I1")
@pytest.mark.rule("REL-P1")
@pytest.mark.parametrize(
    ("before", "status", "follower_sources"),
    [
        ((), "consumed", ["vd0005", "vd0006"]),  # all switched
        ((_switch_fault("vd0002"),), "deleted", ["vd0005", "vd0002"]),  # one: rest purged
        ((_switch_fault("vd0001"),), "active", ["vd0001", "vd0002"]),  # none: restorable
    ],
    ids=["all-switched", "one-switched", "none-switched"],
)
def test_a_switch_whose_final_idb_write_is_refused_is_settled_from_the_array(  # type: ignore[no-untyped-def]
    before, status, follower_sources
):
    """The write-ahead says what the switch was to do; the next session (here the repair)
    settles it from what the array shows: the other replica follows only switches done."""
    drill = _final_write_refused(*before)
    assert any("The IDB refused recording replica fs_data#2" in t for t in _texts(drill))
    assert drill.violations == []
    assert drill.repo.get_replica("fs_data#2").status == status
    follower = drill.repo.get_replica("fs_data#1")
    assert [t.source.volume for t in follower.targets] == follower_sources
    eva = drill.world.arrays["eva1"]
    assert all(eva.vdisks[t.target.volume].source == t.source.volume for t in follower.targets)


@pytest.mark.rule("OPS-I2", "REL-I1")
def test_a_partial_switch_leaves_the_hosts_stopped_and_says_what_it_left():  # type: ignore[no-untyped-def]
    """After one source of two took the replica's data, mounting /data again would put
    volumes of two points in time under one filesystem: nothing is undone, and each step
    not undone is reported Critical with what it leaves (it used to try and fail to
    activate the volume group on the deleted old source)."""
    drill = _replay("eva-ir-switch", 0, _switch_fault("vd0002"))
    assert drill.violations == []
    ir = next(
        s for s in drill.repo.list_sessions() if any("switch of" in m.text for m in s.messages)
    )
    critical = [m.text for m in ir.messages if m.severity == Severity.CRITICAL]
    assert critical[0].startswith("Instant recovery failed: switch of eva1:vd0002")
    assert critical[1:] == [
        "Not undone, the sources hold the replica's data only in part: activate vgdata; "
        "vgdata is released on app1",
        "Not undone, the sources hold the replica's data only in part: remount /data; "
        "/data is not mounted on app1",
    ]
    assert not any(t.startswith("Undo ") for t in _texts(drill))
    assert "/data" not in {m.mount_point for m in drill.drivers.host.mounts("app1")}


@pytest.mark.rule("OPS-I2")
def test_a_switch_refused_on_its_first_volume_undoes_the_hosts():  # type: ignore[no-untyped-def]
    """Nothing switched: the sources are as they were, so the undo remounts /data."""
    drill = _replay("eva-ir-switch", 0, _switch_fault("vd0001"))
    assert drill.violations == []
    assert not any("Not undone" in t or t.startswith("Undo ") for t in _texts(drill))
    assert "/data" in {m.mount_point for m in drill.drivers.host.mounts("app1")}
