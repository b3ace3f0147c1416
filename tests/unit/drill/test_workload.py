"""Workloads: changes applied in 15-minute epochs from a seeded stream; refused writes traced."""

from __future__ import annotations

from apprm_ref.core.specs import BackupSpec
from apprm_ref.drill.datastate import capture
from apprm_ref.drill.workload import EPOCH, Workloads
from apprm_ref.sim.estate import Estate, build_world

ESTATE = {
    "arrays": [
        {
            "type": "eva",
            "name": "eva1",
            "disk_groups": [{"name": "DG1", "capacity": "1TiB"}],
            "vdisks": [{"name": "d1", "disk_group": "DG1", "size": "4GiB", "present_to": ["h1"]}],
        }
    ],
    "hosts": [
        {
            "name": "h1",
            "volume_groups": [
                {
                    "name": "vg",
                    "disks": ["eva1/d1"],
                    "lvs": [
                        {
                            "name": "lv",
                            "size": "2GiB",
                            "mount": "/d",
                            "files": [{"path": "/d/f", "size": "8MiB"}],
                        }
                    ],
                }
            ],
        }
    ],
}
SPEC = BackupSpec(name="s", application_system="h1", array="eva1", objects=["/d"])


def _setup(seed: int = 1):  # type: ignore[no-untyped-def]
    world = build_world(Estate.model_validate(ESTATE), seed)
    notes: list[tuple[str, dict]] = []
    wl = Workloads(world, [SPEC], lambda kind, **data: notes.append((kind, data)))
    return world, wl, notes


def test_rate_per_hour_in_epochs_and_deterministic() -> None:
    digests = []
    for _ in range(2):
        world, wl, notes = _setup()
        wl.control("s", "start", 40.0)
        world.advance(3600 + 1)
        assert wl.active["s"].written == 40 and notes == []
        digests.append(capture(world, [SPEC])["s:/d"])
    assert digests[0] == digests[1]
    world, wl, _ = _setup(seed=2)
    wl.control("s", "start", 40.0)
    world.advance(3600 + 1)
    assert capture(world, [SPEC])["s:/d"] != digests[0]


def test_stop_and_frozen_filesystem() -> None:
    world, wl, notes = _setup()
    wl.control("s", "start", 8.0)
    world.hosts.freeze("h1", "/d")
    world.advance(EPOCH + 1)
    assert notes and notes[0][0] == "workload.blocked" and "frozen" in notes[0][1]["reason"]
    world.hosts.thaw("h1", "/d")
    wl.control("s", "stop", None)
    before = capture(world, [SPEC])
    world.advance(4 * EPOCH)
    assert capture(world, [SPEC]) == before
