"""CREATE DATABASE: the files of a new database and its first control file and headers.

Called once by :meth:`OracleDatabase.create`; the formats are those the engine reads back
(``formats``), so a created database mounts and opens like any other.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from apprm_ref.sim.oracle import formats as F

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase


def hash_int(*parts: object) -> int:
    """A stable 32-bit number of ``parts`` (DBID, RESETLOGS ids): the same in every run."""
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def create_files(db: OracleDatabase, scn: int) -> None:
    """SPFILE, control files, datafiles and online logs of ``db`` at ``scn``; then OPEN."""
    lay, now = db.layout, db.world.now()
    db.params = {
        "db_name": db.name,
        "control_files": list(lay.control_files),
        "log_archive_dest_1": f"LOCATION={lay.archive_dest}",
        "log_archive_format": lay.archive_format,
        "spfile": lay.spfile,
    }
    db.files.ensure_file(lay.spfile, 1)
    db.files.write_blocks(lay.spfile, {0: F.pack(F.SPFILE_MAGIC, db.params)})
    dbid, rl_id = hash_int("dbid", db.name), hash_int("rl", db.name, scn, now)
    db.scn = scn
    db.cf = new_controlfile(db, dbid, rl_id, scn, now)
    for path in lay.control_files:
        db.files.ensure_file(path, lay.cf_blocks)
    for no, df in enumerate(lay.datafiles, start=1):
        db.files.ensure_file(df.path, df.blocks)
        db.hdr[no] = new_header(db, no, df.tablespace, scn, now)
        db.files.write_header(no)
    for no, g in db.cf["groups"].items():
        for member in g["members"]:
            db.files.ensure_file(member, g["blocks"])
        db.files.write_log_header(g, no)
    db.files.write_controlfile(full=True)
    db.status = "MOUNTED"
    db.hold_files(lay.control_files)
    db.lifecycle.open_database()


def new_controlfile(
    db: OracleDatabase, dbid: int, rl_id: int, scn: int, now: float
) -> dict[str, Any]:
    lay = db.layout
    files = {
        no: {
            "name": df.path,
            "ts": df.tablespace,
            "blocks": df.blocks,
            "ckpt": scn,
            "backup": 0,
            "stop": scn,
        }
        for no, df in enumerate(lay.datafiles, start=1)
    }
    groups = {
        no: {
            "members": list(g.members),
            "blocks": g.blocks,
            "seq": 1 if no == 1 else 0,
            "status": "CURRENT" if no == 1 else "UNUSED",
            "archived": False,
            "first": scn if no == 1 else 0,
            "first_time": now,
            "next": None,
            "next_time": None,
            "rl_id": rl_id,
        }
        for no, g in enumerate(lay.log_groups, start=1)
    }
    return {
        "dbid": dbid,
        "db_name": db.name,
        "type": "CURRENT",
        "seq": 0,
        "blocks": lay.cf_blocks,
        "log_mode": lay.log_mode,
        "ckpt_scn": scn,
        "ckpt_time": now,
        "clean": True,
        "rl_scn": scn,
        "rl_id": rl_id,
        "rl_time": now,
        "prior_rl_scn": 0,
        "incarnations": [[1, scn, rl_id, 0]],
        "open_resetlogs": "NOT ALLOWED",
        "rec_end": None,
        "files": files,
        "tablespaces": list(lay.tablespaces),
        "tables": dict(lay.tables),
        "groups": groups,
        "cur_group": 1,
        "cur_seq": 1,
        "archives": [],
    }


def new_header(db: OracleDatabase, no: int, ts: str, scn: int, now: float) -> dict[str, Any]:
    return {
        "dbid": db.cf["dbid"],
        "file": no,
        "ts": ts,
        "creation": scn,
        "ckpt": scn,
        "ckpt_time": now,
        "fuzzy_scn": 0,
        "online": False,
        "backup": 0,
        "rl_scn": db.cf["rl_scn"],
        "rl_id": db.cf["rl_id"],
    }
