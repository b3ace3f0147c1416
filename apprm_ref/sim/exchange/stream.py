"""The running store's log stream: write-ahead logging, log rolls, page flushes, checkpoint.

A change is first appended to the current ``Enn.log`` (durable), then made to the page in
the store's cache. Pages are flushed lazily: at each roll, pages first dirtied before the
generation just closed are written, and the checkpoint moves to the oldest generation still
holding an unflushed change. So a crash (or a shadow copy taken while the store runs) needs
the logs from the checkpoint on, which is what ``Log Required`` in the header says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import DatabaseDef, ExchangeError, StorageGroup, join

if TYPE_CHECKING:
    from apprm_ref.sim.exchange.store import ExchangeServer


def current_path(sg: StorageGroup) -> str:
    return join(sg.active.log_path, f"{sg.prefix}.log")


def append(srv: ExchangeServer, sg: StorageGroup, tail: tuple[Any, ...]) -> tuple[int, int]:
    """Append a record (after its log position) to the current log and roll a full log;
    ``before(lgpos)`` has already made the change in the cache. Returns the lgpos."""
    files = srv.files(sg.active.host)
    gen, sig, records = files.log(current_path(sg))
    n = len(records) + 1
    files.write(current_path(sg), {0: F.log_block(gen, sig, (*records, (gen, n, *tail)))})
    if n >= sg.records_per_log:
        roll(srv, sg)
    return gen, n


def next_lgpos(srv: ExchangeServer, sg: StorageGroup) -> tuple[int, int]:
    gen, _, records = srv.files(sg.active.host).log(current_path(sg))
    return gen, len(records) + 1


def roll(srv: ExchangeServer, sg: StorageGroup) -> int:
    """Close the current log as ``Enn<gen>.log``, start the next one, flush and move the
    checkpoint, and ship the closed generation to the passive copy. Returns the new gen."""
    files = srv.files(sg.active.host)
    gen, sig, records = files.log(current_path(sg))
    closed = join(sg.active.log_path, F.log_name(sg.prefix, gen, srv.version))
    files.ensure(closed, 1)
    files.write(closed, {0: F.log_block(gen, sig, records)})
    files.write(current_path(sg), {0: F.log_block(gen + 1, sig, ())})
    flush(srv, sg, before=gen)
    checkpoint = srv.checkpoint_of(sg, gen + 1)
    files.write_checkpoint(sg, sg.active, checkpoint, sig)
    for db in srv.mounted_dbs(sg):
        hdr = files.header(sg.active.edb(db))
        hdr["log_required"] = (checkpoint, gen + 1)
        files.write_header(sg.active.edb(db), hdr)
    srv.world.emit("exchange.log_roll", server=srv.name, sg=sg.name, generation=gen)
    from apprm_ref.sim.exchange.replication import ship

    ship(srv, sg, gen)
    return gen + 1


def flush(srv: ExchangeServer, sg: StorageGroup, *, before: int | None = None) -> None:
    """Write the cached pages of ``sg``'s databases first dirtied before ``before`` (all)."""
    guids = {db.guid: db for db in sg.databases}
    files = srv.files(sg.active.host)
    for key in sorted(k for k in srv.cache if k[0] in guids):
        payload, first = srv.cache[key]
        if before is not None and first >= before:
            continue
        db = guids[key[0]]
        path = sg.active.edb(db) if key[1] == "edb" else sg.active.stm(db)
        assert path is not None
        files.write(path, {key[2]: payload})
        del srv.cache[key]


def change(
    srv: ExchangeServer,
    sg: StorageGroup,
    db: DatabaseDef,
    op: str,
    mailbox: str,
    msg: str,
    subject: str = "",
    body: str = "",
) -> tuple[int, int]:
    """Log and apply one mailbox change (``deliver`` or ``delete``)."""
    if sg.frozen:
        raise ExchangeError(
            f"{sg.name}: store I/O is suspended for a shadow copy (Freeze)", jet=-1032
        )
    lgpos = next_lgpos(srv, sg)
    pgno = F.mailbox_page(mailbox, db.pages)
    for kind, value in (("edb", subject), ("stm", body)):
        if kind == "stm" and not db.stm:
            continue
        rows = srv.page_rows(sg, db, kind, pgno)
        keep = tuple(r for r in rows if (r[0], r[1]) != (mailbox, msg))
        if op == "deliver":
            row = (mailbox, msg, value) if db.stm else (mailbox, msg, subject, body)
            keep = tuple(sorted((*keep, row)))
        key = (db.guid, kind, pgno)
        first = srv.cache[key][1] if key in srv.cache else lgpos[0]
        srv.cache[key] = (F.page(pgno, lgpos, keep), first)
    # the page is in the cache before the log can roll, so the checkpoint never passes it
    return append(srv, sg, (db.guid, op, mailbox, msg, subject, body))
