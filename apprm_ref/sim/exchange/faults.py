"""Failures an Exchange server can suffer in a drill: a bad page in a database file.

The page is one the store has not cached, so the running store does not notice until it
reads it; a shadow copy carries it, and ``eseutil /k`` of the replica finds it (VC-P19).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import ConfigError
from apprm_ref.sim.exchange import formats as F


def bad_page(srv: Any, sg_name: str, db_name: str) -> int:
    """Overwrite one page of the database's .edb with a page whose checksum is wrong;
    returns its number. The page is the highest one not in the store's cache."""
    sg = srv.sg(sg_name)
    db = sg.database(db_name)
    cached = {k[2] for k in srv.cache if k[0] == db.guid and k[1] == "edb"}
    pgno = max(p for p in range(1, db.pages + 1) if p not in cached)
    files = srv.files(sg.active.host)
    raw = files.block(sg.active.edb(db), pgno)
    rows = raw[3] if F.page_ok(raw, pgno) and raw is not None else ()
    lgpos = raw[2] if F.page_ok(raw, pgno) and raw is not None else (0, 0)
    files.write(sg.active.edb(db), {pgno: (F.PAGE, pgno, lgpos, rows, F.checksum("bit rot", pgno))})
    return pgno


def inject_bad_page(world: Any, failure: Any) -> str:
    """Drill failure ``corrupted_page``: ``app`` the server, ``file`` "storage group/database"."""
    srv = world.app(failure.app)
    sg_name, _, db_name = str(failure.file).rpartition("/")
    if not sg_name:
        raise ConfigError(
            f"corrupted_page needs file: 'storage group/database', not {failure.file!r}",
            field="fail.file",
        )
    pgno = bad_page(srv, sg_name, db_name)
    return f"{failure.app}: page {pgno} of {sg_name}\\{db_name} has a bad checksum"
