"""Ready-made Exchange estates for tests, drills and examples: EVA vdisks presented to
Windows hosts ``ex1`` (the server; CCR: the active node), ``ex2`` (the CCR passive node) and
the backup system ``bk1``; one storage group on ``E:`` (databases) and ``L:`` (logs), the
LCR copy on ``P:``/``Q:``."""

from __future__ import annotations

from typing import Any

import yaml

from apprm_ref.sim.estate import Estate, build_world

_HOSTS = """
arrays:
  - type: eva
    name: eva1
    disk_groups: [{name: DG1, capacity: 2TiB}]
    vdisks:
      - {name: db1, disk_group: DG1, size: 2GiB, present_to: [ex1]}
      - {name: log1, disk_group: DG1, size: 2GiB, present_to: [ex1]}
      - {name: db2, disk_group: DG1, size: 2GiB, present_to: [%(passive)s]}
      - {name: log2, disk_group: DG1, size: 2GiB, present_to: [%(passive)s]}
hosts:
  - name: ex1
    os: windows
    storage: windows
    disks:
      - {disk: eva1/db1, partitions: [{size: 1GiB, mount: 'E:'}]}
      - {disk: eva1/log1, partitions: [{size: 1GiB, mount: 'L:'}]}
%(passive_host)s
  - {name: bk1, os: windows, storage: windows, role: backup}
"""

_PASSIVE_HOST = """  - name: ex2
    os: windows
    storage: windows
    disks:
      - {disk: eva1/db2, partitions: [{size: 1GiB, mount: 'E:'}]}
      - {disk: eva1/log2, partitions: [{size: 1GiB, mount: 'L:'}]}"""

_LCR_DISKS = """      - {disk: eva1/db2, partitions: [{size: 1GiB, mount: 'P:'}]}
      - {disk: eva1/log2, partitions: [{size: 1GiB, mount: 'Q:'}]}"""


RSG = {
    "name": "Recovery Storage Group",
    "recovery": True,
    "log_path": "L:\\RSG",
    "data_path": "E:\\RSG",
}


def estate(version: int = 2007, replication: str = "none", **sg: Any) -> dict[str, Any]:
    passive = "ex2" if replication == "ccr" else "ex1"
    text = _HOSTS % {
        "passive": passive,
        "passive_host": _PASSIVE_HOST if replication == "ccr" else "",
    }
    doc = yaml.safe_load(text)
    if replication == "lcr":
        doc["hosts"][0]["disks"] += yaml.safe_load(_LCR_DISKS)
    dbs = [{"name": "Mailbox Database", "messages": 4}]
    if version == 2003:
        dbs = [{"name": "Mailbox Store"}, {"name": "Public Folder Store", "messages": 2}]
    group: dict[str, Any] = {
        "name": "First Storage Group",
        "log_path": "L:\\SG1",
        "data_path": "E:\\SG1",
        "databases": dbs,
        "replication": replication,
        **sg,
    }
    if replication == "ccr":
        group["passive"] = {"host": "ex2", "log_path": "L:\\SG1", "data_path": "E:\\SG1"}
    if replication == "lcr":
        group["passive"] = {"log_path": "Q:\\SG1", "data_path": "P:\\SG1"}
    app = {"type": "exchange", "name": "EXCH", "host": "ex1", "version": version}
    app["storage_groups"] = [group, *([RSG] if version == 2007 else [])]
    hosts = ["ex1", *(["ex2"] if replication == "ccr" else []), "bk1"]
    doc["applications"] = [
        {"type": "vss", "name": "vss", "hosts": hosts, "providers": [{"type": "eva"}]},
        app,
    ]
    return doc


def world(version: int = 2007, replication: str = "none", seed: int = 1, **sg: Any) -> Any:
    return build_world(Estate.model_validate(estate(version, replication, **sg)), seed)


def busy(srv: Any, rounds: int = 6, per_round: int = 5) -> None:
    """``rounds`` workload batches of ``per_round`` mailbox changes."""
    for _ in range(rounds):
        srv.apply_workload(per_round)


def power_cycle(world: Any, host: str = "ex1") -> None:
    """The host loses power and boots again: the store is gone, the files stay."""
    world.hosts.crash(host)
    world.hosts.boot(host)
