"""Mount reads every control-file copy; a copy whose blocks equal the first one's is not
decoded again. The outcome is what decoding each copy gives: the same control file, the
same ORA-00205 (a copy unreadable) and ORA-00214 (copies differ), fresh record dicts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.estate import Estate, build_estate


def busy(e: Estate, rounds: int) -> None:
    for _ in range(rounds):
        e.world.advance(600)
        e.db.apply_workload(3)
        e.db.archive_log_current()


def reference_mount_check(db: Any) -> Any:
    """What mount decided when it decoded every copy: the control file, or the error."""
    copies = [(p, db.read_controlfile(p)) for p in db.cf_paths()]
    if not copies or any(cf is None for _, cf in copies):
        return "ORA-00205"
    first_path, first = copies[0]
    for path, other in copies[1:]:
        if other != first:
            return ("ORA-00214", first_path, path)
    return json.dumps(first)


def mount_outcome(db: Any) -> Any:
    db.startup("NOMOUNT")
    expected = reference_mount_check(db)
    try:
        db.mount()
    except OracleError as exc:
        got: Any = exc.code if exc.code == "ORA-00205" else (exc.code, *db.cf_paths())
    else:
        got = json.dumps(db.cf)
    db.shutdown("ABORT")
    return got, expected


@pytest.mark.parametrize("damage", ["none", "chunk", "main", "missing-chunk", "short"])
def test_mount_decides_as_decoding_every_copy(damage: str) -> None:
    e = build_estate(8)
    busy(e, 70)  # more than one chunk of archived-log records
    db = e.db
    db.shutdown("IMMEDIATE")
    second = db.layout.control_files[1]
    if damage == "chunk":  # an edited record in the second copy's first chunk
        payload = e.world.hosts.read_block("db1", second, 1)
        recs = list(payload[2])
        recs[0] = F.freeze(dict(F.thaw(recs[0]), deleted=True))
        e.world.hosts.write_file("db1", second, {1: (payload[0], payload[1], tuple(recs))})
    elif damage == "main":
        e.world.hosts.write_file("db1", second, {0: ("garbage",)})
    elif damage == "missing-chunk":
        e.world.hosts.write_file("db1", second, {2: None})
    elif damage == "short":  # same blocks, but the second copy says one record fewer
        main = F.unpack(e.world.hosts.read_block("db1", second, 0), F.CF_MAGIC)
        main["narch"] -= 1
        e.world.hosts.write_file("db1", second, {0: F.pack(F.CF_MAGIC, main)})
    got, expected = mount_outcome(db)
    assert got == expected
    if damage == "none":
        assert got.startswith("{")
    else:
        assert not got.startswith("{") if isinstance(got, str) else got[0] == "ORA-00214"


def test_remounting_hands_out_fresh_record_dicts() -> None:
    e = build_estate(9)
    busy(e, 70)
    db = e.db
    for _ in range(3):
        db.shutdown("ABORT")  # the touched records below never reach the disk
        db.startup()
        plain = [
            F.thaw(r)
            for path in db.cf_paths()[:1]
            for b in range(1, 1 + (len(db.cf["archives"]) + 63) // 64)
            for r in e.world.hosts.read_block("db1", path, b)[2]
        ]
        assert json.dumps(db.cf["archives"]) == json.dumps(plain[: len(db.cf["archives"])])
        assert "touched" not in json.dumps(db.cf["archives"])
        for rec in db.cf["archives"]:
            rec["deleted"] = "touched"  # the instance's own copies: the memo keeps its own
