"""The instance's memos (``sim.oracle.memo``) are invisible: control-file blocks, data blocks,
archived-log answers and V$ rows are exactly what recomputing from scratch gives, through
appends, circular reuse of records, purges, refused batches, crashes and RESETLOGS."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from apprm_ref.drivers.oracle import RecoveryTarget
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle import views as V
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.memo import ArchIndex
from apprm_ref.sim.oracle.models import simple_layout


def reference_cf_blocks(cf: dict[str, Any]) -> dict[int, Any]:
    """The control file as the first implementation encoded it: freeze everything, always."""
    main = {k: v for k, v in cf.items() if k != "archives"}
    main["narch"] = len(cf["archives"])
    blocks: dict[int, Any] = {0: F.pack(F.CF_MAGIC, main)}
    n = len(cf["archives"])
    for chunk in range((n + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK):
        recs = cf["archives"][chunk * F.ARCH_PER_BLOCK : (chunk + 1) * F.ARCH_PER_BLOCK]
        blocks[1 + chunk] = (F.CF_ARCH, chunk, tuple(F.freeze(r) for r in recs))
    return blocks


def reference_index(archives: list[dict[str, Any]]) -> tuple[Any, ...]:
    known: dict[int, dict[int, Any]] = {}
    for a in archives:
        known.setdefault(a["rl_id"], {})[a["seq"]] = (a["first"], a["next"])
    return (
        max((a["seq"] for a in archives), default=0),
        max((a["next"] for a in archives), default=0),
        known,
    )


def index_answers(ix: ArchIndex) -> tuple[Any, ...]:
    known = {
        rl: {s: (a["first"], a["next"]) for s, a in recs.items()} for rl, recs in ix.known.items()
    }
    return ix.max_seq, ix.max_next, known


def on_disk_cf(e: Estate) -> dict[int, Any]:
    path = e.db.cf_paths()[0]
    n = (len(e.db.cf["archives"]) + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK
    return {b: e.world.hosts.read_block("db1", path, b) for b in range(n + 1)}


def busy(e: Estate, rounds: int) -> None:
    for _ in range(rounds):
        e.world.advance(600)
        e.db.workload(20)
        e.db.archive_log_current()


def test_control_file_blocks_equal_a_full_freeze_through_reuse_and_purge() -> None:
    e = build_estate(5, simple_layout(tablespaces=("SYSTEM", "USERS", "APP")))
    cap = e.db.cf_capacity(e.db.cf["blocks"])
    for step in range(cap // 2 + 40):  # two records per round: past circular reuse
        busy(e, 1)
        if step % 50 == 0:
            e.db.begin_backup("USERS")
            e.db.end_backup("USERS")
            e.db.delete_archived_logs(e.world.now() - 3000)
        if step % 97 == 0:
            assert on_disk_cf(e) == reference_cf_blocks(e.db.cf)
    assert len(e.db.cf["archives"]) < cap + F.ARCH_PER_BLOCK
    assert on_disk_cf(e) == reference_cf_blocks(e.db.cf)
    assert e.db.encode_controlfile(e.db.cf, full=True) == reference_cf_blocks(e.db.cf)
    copy = dict(e.db.cf, type="BACKUP")  # BACKUP CONTROLFILE encodes a different dict
    assert e.db.encode_controlfile(copy, full=True) == reference_cf_blocks(copy)


def test_archived_log_index_follows_appends_reuse_and_replacement() -> None:
    ix = ArchIndex()
    recs = [
        {"seq": s, "rl_id": 7 if s < 30 else 9, "first": 10 * s, "next": 10 * s + 10}
        for s in range(1, 60)
    ]
    live: list[dict[str, Any]] = []
    for r in recs[:20]:
        live.append(r)
        assert index_answers(ix.sync(live)) == reference_index(live)
    live.extend(recs[20:45])
    assert index_answers(ix.sync(live)) == reference_index(live)
    live = live[10:]  # circular reuse: a new, shorter list
    assert index_answers(ix.sync(live)) == reference_index(live)
    live[-1] = dict(live[-1], seq=99)  # the last record replaced in place
    assert index_answers(ix.sync(live)) == reference_index(live)
    again = list(live)  # same content, another list
    assert index_answers(ix.sync(again)) == reference_index(again)
    assert index_answers(ix.sync([])) == reference_index([])


def test_index_answers_match_the_views_across_resetlogs() -> None:
    e = build_estate(8)
    busy(e, 6)
    e.db.shutdown("ABORT")
    e.db.startup("MOUNT")
    e.db.recover(RecoveryTarget.until_sequence(e.db.cf["cur_seq"] - 2))
    e.db.open(True)
    busy(e, 2)  # sequences start again at 1 in the new incarnation
    rows = V.v_archived_log(e.db)
    assert V.max_archived_sequence(e.db) == max(r["SEQUENCE#"] for r in rows)
    assert V.max_archived_sequence(e.db) > e.db.cf["cur_seq"]
    assert V.v_database(e.db)[0]["ARCHIVE_CHANGE#"] == max(r["NEXT_CHANGE#"] for r in rows)
    for r, a in zip(rows, e.db.cf["archives"], strict=True):
        assert r["FIRST_TIME"] == V._dt(e.db, a["first_time"])
        assert r["NEXT_TIME"] == V._dt(e.db, a["next_time"])
    for rl_id in {a["rl_id"] for a in e.db.cf["archives"]}:
        expected: dict[int, Any] = {}
        for a in e.db.cf["archives"]:
            if a["rl_id"] == rl_id:
                expected[a["seq"]] = (a["seq"], a["first"], a["next"])
        listed = {k[0]: k for k in e.db.known_logs(rl_id)}
        assert {s: listed[s] for s in expected} == expected
        assert all(e.db.log_bounds(s, rl_id) == k for s, k in expected.items())


def test_empty_database_has_no_archived_sequence() -> None:
    e = build_estate(2)
    assert V.max_archived_sequence(e.db) == 0
    assert V.v_database(e.db)[0]["ARCHIVE_CHANGE#"] == 0


def test_data_blocks_and_refusals_are_unchanged_by_the_parsed_block_memo(estate: Estate) -> None:
    db = estate.db
    db.workload(20)
    db.transact([(("insert", "T_USERS", "dup", "a"),)])
    before = {loc: db.cache[loc] for loc in db.cache}
    with pytest.raises(OracleError) as exc:  # second op refused: the batch changes nothing
        db.transact([(("update", "T_USERS", "dup", "b"),), (("insert", "T_USERS", "dup", "c"),)])
    assert exc.value.code == "ORA-00001"
    assert {loc: db.cache[loc] for loc in db.cache} == before
    assert db.select("T_USERS")["dup"] == "a"
    for _ in range(30):
        db.workload(20)
    db.checkpoint()
    for (no, block), payload in db.cache.items():
        on_disk = db.read_block(db.cf["files"][no]["name"], block)
        assert on_disk == payload
        bscn, rows = F.parse_data_block(payload)
        assert payload == F.data_block(bscn, rows)
        assert db.txn._block((no, block)) == (bscn, rows)
    db.shutdown("ABORT")  # the memo goes with the instance
    db.startup()
    assert db.select("T_USERS")["dup"] == "a"


def reference_workload(db: Any, commits: int, ops_per_commit: int = 2, keys: int = 40) -> Any:
    """The epoch as first written: draw every operation with the public ``random`` API
    against the committed rows, then ``transact`` the batch."""
    rng = db.world.streams.get(f"oracle.{db.name}.workload")
    tables = sorted(db.cf["tables"])
    present: dict[tuple[str, str], bool] = {}
    txs = []
    for _ in range(commits):
        ops: list[tuple[Any, ...]] = []
        for _ in range(ops_per_commit):
            table, key = rng.choice(tables), f"k{rng.randrange(keys):04d}"
            if (table, key) not in present:
                rows = db.txn._block(db.txn._locate_row(table, key))[1]  # caches that block only
                present[(table, key)] = (table, key) in rows
            if not present[(table, key)]:
                ops.append(("insert", table, key, f"v{rng.randrange(10**6)}"))
                present[(table, key)] = True
            elif rng.random() < 0.2:
                ops.append(("delete", table, key))
                present[(table, key)] = False
            else:
                ops.append(("update", table, key, f"v{rng.randrange(10**6)}"))
        txs.append(tuple(ops))
    return db.transact(txs)


@pytest.mark.parametrize("shape", [(20, 2, 40), (7, 3, 5), (1, 1, 1), (0, 2, 40)])
def test_one_pass_workload_equals_draw_then_transact(shape: tuple[int, int, int]) -> None:
    commits, per, keys = shape
    layout = simple_layout(tablespaces=("SYSTEM", "USERS", "APP"), files_per_ts=2)
    a, b = build_estate(11, layout), build_estate(11, layout)
    for epoch in range(60):
        for e in (a, b):
            e.world.advance(3600)
        got = a.db.workload(commits, ops_per_commit=per, keys=keys)
        assert got == reference_workload(b.db, commits, per, keys)
        if epoch % 25 == 0:
            for e in (a, b):
                e.db.archive_log_current()
    assert a.world.digest() == b.world.digest()


def test_workload_refuses_an_empty_key_range_as_before(estate: Estate) -> None:
    with pytest.raises(ValueError):
        estate.db.workload(3, keys=0)
    assert estate.db.workload(0, keys=0) == []


def test_control_file_read_back_is_a_plain_thaw_key_order_and_types_included() -> None:
    e = build_estate(4)
    busy(e, 70)  # two chunks of records, frozen by this instance
    path = e.db.cf_paths()[0]
    blocks = on_disk_cf(e)
    plain = [F.thaw(r) for b in sorted(blocks) if b for r in blocks[b][2]]
    read = e.db.read_controlfile(path)
    assert read is not None
    assert json.dumps(read["archives"]) == json.dumps(plain[: read["narch"]])
    read["archives"][0]["deleted"] = True  # a fresh dict: the memo's copy is untouched
    assert json.dumps(e.db.read_controlfile(path)["archives"]) == json.dumps(plain)
    e.db.shutdown("IMMEDIATE")
    e.db.startup()
    assert json.dumps(e.db.cf["archives"]) == json.dumps(plain)


def test_inline_bounded_draws_are_what_choice_and_randrange_draw() -> None:
    """workload() draws getrandbits(n.bit_length()) until the value is below n, which is
    what random.Random does for choice(seq) and randrange(n); if Python changes that, the
    epoch would stop matching the public calls, and this says so first."""
    for n in (1, 2, 3, 40, 10**6):
        ours, public = random.Random(n), random.Random(n)
        k, seq = n.bit_length(), list(range(n)) if n < 100 else None
        for i in range(300):
            r = ours.getrandbits(k)
            while r >= n:
                r = ours.getrandbits(k)
            expected = public.choice(seq) if seq and i % 2 else public.randrange(n)
            assert r == expected


def test_apply_workload_without_history_is_workload_without_the_commit_list() -> None:
    """The counting epoch (bench, drill) draws, logs and writes exactly what workload()
    does; with the history off it builds no Commit objects and keeps none."""
    a, b = build_estate(12), build_estate(12)
    a.db.history = b.db.history = None  # the digest covers the history too
    for epoch in range(40):
        for e in (a, b):
            e.world.advance(3600)
        assert a.db.apply_workload(20) == len(b.db.workload(20)) == 20
        if epoch % 9 == 0:
            for e in (a, b):
                e.db.archive_log_current()
    assert a.db.history is None
    assert a.world.digest() == b.world.digest()
    with_history = build_estate(12)
    with_history.world.advance(3600)
    assert with_history.db.apply_workload(5) == 5
    assert len(with_history.db.history.commits) == 5


def test_data_blocks_stay_sorted_through_inserts_deletes_and_a_refused_batch() -> None:
    """Blocks whose rows kept their key order are written without a sort: every payload
    in the cache and on disk is still what sorting the rows gives."""
    e = build_estate(13)
    db = e.db
    for epoch in range(30):
        e.world.advance(3600)
        db.apply_workload(20, keys=12)
        if epoch == 10:
            rows = db.select("T_USERS")
            with pytest.raises(OracleError):  # the second insert of a batch collides
                db.transact(
                    [(("insert", "T_USERS", "zz", "1"),), (("insert", "T_USERS", "zz", "2"),)]
                )
            assert db.select("T_USERS") == rows
    db.checkpoint()
    for (no, block), payload in sorted(db.cache.items()):
        if payload is None:  # never written
            continue
        bscn, rows = F.parse_data_block(payload)
        assert payload == F.data_block(bscn, rows)
        assert e.world.hosts.read_block("db1", db.cf["files"][no]["name"], block) == payload


def test_sections_frozen_entry_by_entry_are_a_full_freeze_types_included() -> None:
    """files and groups are frozen one entry at a time (unchanged entries reused): after
    every kind of control-file write the main block is what freezing everything gives,
    down to the type of each value (json tells 1 from 1.0 and True from 1)."""
    e = build_estate(7, simple_layout(tablespaces=("SYSTEM", "USERS", "APP")))
    db = e.db

    def same() -> None:
        main = db.encode_controlfile(db.cf, full=False, archives=False)[0]
        assert json.dumps(main) == json.dumps(reference_cf_blocks(db.cf)[0])

    for step in range(12):
        e.world.advance(600)
        db.apply_workload(5)
        same()
        db.switch_logfile() if step % 2 else db.archive_log_current()
        same()
        db.begin_backup("APP")
        same()
        db.end_backup("APP")
        same()
        db.checkpoint()
        same()
    db.cf["groups"][2]["members"].append("/oractl/extra.log")  # a change inside an entry
    same()
    del db.cf["groups"][3]  # an entry gone
    same()
