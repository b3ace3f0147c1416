"""Creating a storage group's files, and seeding its passive copy (LCR/CCR).

A new database is ``Just Created`` with no log required; the stream starts at generation 1
with a new log signature. Seeding copies the database files to the passive copy, whose
checkpoint says replay point 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import CopyLayout, StorageGroup, join

if TYPE_CHECKING:
    from apprm_ref.sim.exchange.store import ExchangeServer


def new_header(srv: ExchangeServer, sg: StorageGroup, guid: str, log_sig: str) -> dict[str, Any]:
    return {
        "state": F.JUST_CREATED,
        "log_required": (0, 0),
        "last_consistent": (0, srv.world.now()),
        "db_signature": srv.signature(guid),
        "log_signature": log_sig,
        "guid": guid,
        "version": srv.version,
        "previous_full": None,
        "previous_incremental": None,
        "current_shadow": None,
    }


def create_storage_group(srv: ExchangeServer, sg: StorageGroup) -> None:
    sig = srv.signature(sg.guid)
    _create_copy(srv, sg, sg.active, sig)
    files = srv.files(sg.active.host)
    current = join(sg.active.log_path, f"{sg.prefix}.log")
    files.ensure(current, 1)
    files.write(current, {0: F.log_block(1, sig, ())})
    files.write_checkpoint(sg, sg.active, 1, sig)
    if sg.passive is not None:
        seed(srv, sg, sig)


def _create_copy(srv: ExchangeServer, sg: StorageGroup, copy: CopyLayout, sig: str) -> None:
    files = srv.files(copy.host)
    for db in sg.databases:
        for path in copy.files_of(db):
            files.ensure(path, db.pages + 1)
        files.write_header(copy.edb(db), new_header(srv, sg, db.guid, sig))
        stm = copy.stm(db)
        if stm:
            files.write(stm, {0: (F.HDR, {"guid": db.guid, "state": "stm"})})


def seed(srv: ExchangeServer, sg: StorageGroup, sig: str) -> None:
    """Update-StorageGroupCopy: the passive copy gets the databases as they are on the
    active copy (before any log) and waits for generation 1."""
    passive = sg.copy("passive")
    dst = srv.files(passive.host)
    for db in sg.databases:
        for a, b in zip(sg.active.files_of(db), passive.files_of(db), strict=True):
            blocks = srv.world.hosts.read_file(sg.active.host, a)
            dst.ensure(b, len(blocks))
            dst.write(b, dict(enumerate(blocks)))
    dst.write_checkpoint(sg, passive, 0, sig)
