"""The control file, datafile headers and online log headers the engine writes are what a fresh full encoding of
the instance's control file and headers gives, down to the type of every value, through
every path that changes them: log switches, archiving, checkpoints, backup mode, purges,
circular reuse of records, close/open, crashes, log-mode changes, incomplete and
backup-control-file recovery, OPEN RESETLOGS, and edits inside a section entry. The frozen
forms the encoder reuses (``memo.FrozenCf``) must never show."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

import pytest

from apprm_ref.drivers.oracle import RecoveryTarget as RT
from apprm_ref.errors import HostError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.memo import FROZEN_RECORDS_MAX
from apprm_ref.sim.oracle.models import OPEN, simple_layout


def fresh_blocks(cf: dict[str, Any]) -> dict[int, Any]:
    """Every block of ``cf`` frozen from scratch, no memo (the first implementation)."""
    main = {k: v for k, v in cf.items() if k != "archives"}
    main["narch"] = len(cf["archives"])
    blocks: dict[int, Any] = {0: F.pack(F.CF_MAGIC, main)}
    recs = cf["archives"]
    for chunk in range((len(recs) + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK):
        part = recs[chunk * F.ARCH_PER_BLOCK : (chunk + 1) * F.ARCH_PER_BLOCK]
        blocks[1 + chunk] = (F.CF_ARCH, chunk, tuple(F.freeze(r) for r in part))
    return blocks


def exact(a: Any, b: Any) -> bool:
    """Equal and of the same types (json tells 1 from 1.0 and True from 1; == does not)."""
    return a == b and json.dumps(a) == json.dumps(b)


def check(e: Estate, *, on_disk: bool) -> None:
    """The encoder against a fresh encoding; with ``on_disk``, what every control-file copy
    and every datafile header holds too (after an operation that wrote them)."""
    db = e.db
    if not db.cf:
        return
    want = fresh_blocks(db.cf)
    assert exact(db.encode_controlfile(db.cf, full=True), want)
    last = max(want)
    incremental = db.encode_controlfile(db.cf, full=False)
    assert exact(incremental, {0: want[0], **({last: want[last]} if last else {})})
    assert exact(db.encode_controlfile(db.cf, full=False, archives=False), {0: want[0]})
    backup = dict(db.cf, type="BACKUP")  # BACKUP CONTROLFILE encodes another dict
    assert exact(db.encode_controlfile(backup, full=True), fresh_blocks(backup))
    if not on_disk:
        return
    for path in db.cf_paths():
        disk = {b: e.world.hosts.read_block(e.host, path, b) for b in want}
        assert exact(disk, want), path
    if db.status == OPEN:
        for no, h in db.hdr.items():
            disk = e.world.hosts.read_block(e.host, db.cf["files"][no]["name"], 0)
            assert exact(disk, F.pack(F.DF_HEADER, h)), no
        for no, g in db.cf["groups"].items():  # online log headers, as the group says
            keys = ("seq", "first", "first_time", "rl_id")
            head = {"dbid": db.cf["dbid"], "group": no, "thread": 1, **{k: g[k] for k in keys}}
            for member in g["members"]:
                if not e.world.hosts.file_exists(e.host, member):
                    continue  # a member only named (member_edit)
                disk = e.world.hosts.read_block(e.host, member, 0)
                assert exact(disk, F.pack(F.LOG_HEADER, head)), member


def small_cf_estate(seed: int) -> Estate:
    """Three tablespaces, two files each, and a control file of two record chunks (128
    records), so a short run reuses records circularly."""
    layout = simple_layout(tablespaces=("SYSTEM", "USERS", "APP"), files_per_ts=2)
    return build_estate(seed, dataclasses.replace(layout, cf_blocks=3))


def work(e: Estate, n: int = 1) -> None:
    for _ in range(n):
        e.world.advance(300)
        e.db.apply_workload(8)


def crash_and_open(e: Estate) -> None:
    e.db.shutdown("ABORT")
    e.db.startup()  # crash recovery at OPEN


def close_and_open(e: Estate) -> None:
    e.db.shutdown("IMMEDIATE")
    e.db.startup()


def log_mode(e: Estate) -> None:
    e.db.shutdown("IMMEDIATE")
    e.db.startup("MOUNT")
    e.db.set_log_mode("ARCHIVELOG")
    e.db.open()


def incomplete_recovery(e: Estate) -> None:
    e.db.archive_log_current()
    e.db.archive_log_current()
    seq = e.db.cf["cur_seq"] - 1
    e.db.shutdown("ABORT")
    e.db.startup("MOUNT")
    e.db.recover(RT.until_sequence(seq))
    check(e, on_disk=True)
    e.db.open(resetlogs=True)  # a new incarnation; sequences start again at 1


def backup_cf_recovery(e: Estate) -> None:
    e.db.archive_log_current()
    e.db.backup_controlfile("/oraarch/cf.bkp", reuse=True)
    work(e, 2)
    e.db.archive_log_current()
    e.db.shutdown("ABORT")
    e.db.startup("NOMOUNT")
    e.db.restore_controlfile("/oraarch/cf.bkp")
    e.db.mount()
    check(e, on_disk=False)  # MOUNT flags a BACKUP control file in memory only
    e.db.recover(RT.until_cancel(), using_backup_controlfile=True)
    check(e, on_disk=True)
    e.db.open(resetlogs=True)


def member_edit(e: Estate) -> None:
    """Changes inside a section entry (a group's member list) and of a plain section."""
    members = e.db.cf["groups"][2]["members"]
    members.append("/oractl/redo02b.log")  # in place: a snapshot must not share the list
    e.db.write_controlfile()
    check(e, on_disk=True)
    members.pop()
    e.db.write_controlfile()
    check(e, on_disk=True)
    e.db.cf["tables"]["T_EXTRA"] = "APP"  # a section of scalars, in place
    e.db.write_controlfile()
    check(e, on_disk=True)
    del e.db.cf["tables"]["T_EXTRA"]
    e.db.write_controlfile()


OPS = {
    "switch": lambda e: (work(e), e.db.switch_logfile()),
    "archive": lambda e: (work(e), e.db.archive_log_current()),
    "checkpoint": lambda e: (work(e), e.db.checkpoint()),
    "backup_ts": lambda e: (e.db.begin_backup("USERS"), work(e), e.db.end_backup("USERS")),
    "backup_db": lambda e: (e.db.begin_backup(), work(e), e.db.end_backup()),
    "backup_files": lambda e: (e.db.begin_backup("APP"), e.db.end_backup_datafiles([5, 6])),
    "purge": lambda e: e.db.delete_archived_logs(e.world.now() - 2400),
    "crash": crash_and_open,
    "close": close_and_open,
    "log_mode": log_mode,
    "incomplete": incomplete_recovery,
    "backup_cf": backup_cf_recovery,
    "member_edit": member_edit,
}


@pytest.mark.parametrize("seed", [1, 2])
def test_every_write_is_a_fresh_encoding_through_a_random_walk(seed: int) -> None:
    e = small_cf_estate(seed)
    rng = random.Random(seed)
    common = ["switch", "archive", "archive", "checkpoint", "backup_ts", "purge"]
    names = sorted(OPS)
    reused = False
    for _ in range(360):
        name = rng.choice(common) if rng.random() < 0.8 else rng.choice(names)
        before = len(e.db.cf["archives"])
        OPS[name](e)
        reused = reused or len(e.db.cf["archives"]) < before and name != "incomplete"
        check(e, on_disk=True)
    assert reused  # circular reuse of records happened on the way


def test_every_path_once_in_order() -> None:
    """Each path on its own, from a database with a few chunks of records."""
    e = small_cf_estate(9)
    for _ in range(70):
        OPS["archive"](e)
    check(e, on_disk=True)
    for name in sorted(OPS):
        OPS[name](e)
        check(e, on_disk=True)


def test_records_changed_in_place_and_the_record_memo_starting_over() -> None:
    """A record flagged in place (what a purge does) is frozen again, whichever chunk holds
    it; the record memo starting over halfway through a chunk changes nothing."""
    e = small_cf_estate(4)
    for _ in range(100):
        OPS["archive"](e)
    recs = e.db.cf["archives"]
    for i in (0, 63, 64, len(recs) - 1):
        recs[i]["deleted"] = True
        e.db.write_controlfile(full=True)
        check(e, on_disk=True)
    recs[70]["name"] = recs[70]["name"] + ".moved"  # another field, in place
    e.db.write_controlfile(full=True)
    check(e, on_disk=True)
    memo = e.db.memo.cf
    filler = {-i: (None, None) for i in range(1, FROZEN_RECORDS_MAX - len(memo.thawed) + 1)}
    memo.thawed.update(filler)  # full: it starts over at the next record it freezes
    recs[5]["deleted"] = True
    e.db.write_controlfile(full=True)
    assert len(memo.thawed) < FROZEN_RECORDS_MAX
    check(e, on_disk=True)
    e.db.memo.cf = type(memo)()  # a dropped memo only costs a recomputation
    check(e, on_disk=True)


def test_records_read_back_by_a_mount_are_found_in_the_record_memo() -> None:
    """After a mount every record is a fresh dict, and after circular reuse every record
    sits in another chunk: either way a rebuilt chunk freezes only the records that
    changed (the memo finds the others by incarnation, sequence and completion time)."""
    e = small_cf_estate(6)
    for _ in range(100):
        OPS["archive"](e)
    close_and_open(e)
    path, n = e.db.cf_paths()[0], len(e.db.cf["archives"])
    chunks = range(1, 1 + (n + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK)
    disk = [e.world.hosts.read_block(e.host, path, b) for b in chunks]
    plain = [F.thaw(r) for block in disk for r in block[2]][:n]
    assert json.dumps(e.db.cf["archives"]) == json.dumps(plain)  # read back: a plain thaw
    memo = e.db.memo.cf
    frozen_before = len(memo.thawed)
    e.db.cf["archives"][3]["deleted"] = True
    e.db.write_controlfile(full=True)
    check(e, on_disk=True)
    assert len(memo.thawed) == frozen_before + 1
    cap = e.db.cf_capacity(e.db.cf["blocks"])
    while len(e.db.cf["archives"]) < cap:
        OPS["archive"](e)
    frozen_before = len(memo.thawed)
    OPS["archive"](e)  # one record more than the capacity: the oldest 65 go
    assert len(e.db.cf["archives"]) == cap - F.ARCH_PER_BLOCK
    check(e, on_disk=True)
    assert len(memo.thawed) == frozen_before + 1  # only the new record was frozen


def reference_checkpoint(db: Any) -> None:
    """The checkpoint as first written: write_data_blocks of the dirty blocks, then the
    highest block SCN per file in a second pass."""
    db.files.write_data_blocks({k: db.cache[k] for k in db.dirty})
    written: dict[int, int] = {}
    for (file_no, _), scn in db.dirty.items():
        written[file_no] = max(written.get(file_no, 0), scn)
    db.dirty = {}
    now = db.world.now()
    for no, entry in db.cf["files"].items():
        h = db.hdr[no]
        if h["backup"]:
            h["fuzzy_scn"] = max(h["fuzzy_scn"], written.get(no, 0))
        else:
            h.update(ckpt=db.scn, ckpt_time=now, fuzzy_scn=0)
        entry["ckpt"] = db.scn
        db.files.write_header(no)
    for g in db.cf["groups"].values():
        if g["status"] == "ACTIVE":
            g["status"] = "INACTIVE"
    db.cf.update(ckpt_scn=db.scn, ckpt_time=now)
    db.files.write_controlfile()


@pytest.mark.parametrize("frozen", [None, "/oradata", "/oractl"])
def test_checkpoint_writes_and_refuses_as_the_two_pass_form(frozen: str | None) -> None:
    """Same blocks, headers and control file, and with a frozen filesystem the same refusal
    at the same write (data blocks first, then headers, then the control file)."""
    a, b = small_cf_estate(5), small_cf_estate(5)
    outcomes = []
    for e, run in ((a, lambda db: db.checkpoint()), (b, reference_checkpoint)):
        e.db.begin_backup("USERS")  # a file in backup mode keeps its fuzzy SCN
        work(e, 3)
        if frozen:
            e.world.hosts.freeze(e.host, frozen)
        try:
            run(e.db)
            outcomes.append("ok")
        except HostError as exc:
            outcomes.append(exc.code)
        if frozen:
            e.world.hosts.thaw(e.host, frozen)
    assert outcomes[0] == outcomes[1] == ("ok" if frozen is None else "EAGAIN")
    assert a.db.dirty == b.db.dirty and a.db.hdr == b.db.hdr
    assert a.world.digest() == b.world.digest()
    for e in (a, b):  # and the database goes on the same way
        e.db.end_backup("USERS")
        work(e, 2)
        e.db.checkpoint()
    assert a.world.digest() == b.world.digest()
