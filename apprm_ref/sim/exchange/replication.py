"""LCR and CCR: the Replication service ships each closed log to the passive copy and
replays it there (technet bb124521 "Cluster Continuous Replication"; sap-vss-addendum VSS-6).

The passive copy's checkpoint file holds its *replay point*, the last generation replayed
(its headers require that log, so a shadow copy of the passive files recovers from it). While a passive-copy backup holds the copy (between Freeze and Thaw),
and while the passive node is down, closed generations wait in ``pending`` and are shipped
in order afterwards. LCR keeps the copy on other volumes of the same server, CCR on the
passive node of the cluster; both are modelled by the copy's host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.errors import HostError
from apprm_ref.sim.exchange import ese
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import CopyLayout, StorageGroup, join

if TYPE_CHECKING:
    from apprm_ref.sim.exchange.store import ExchangeServer


def replicated(sg: StorageGroup) -> bool:
    return sg.replication != "none" and sg.passive is not None


def replay_point(srv: ExchangeServer, sg: StorageGroup) -> int:
    """The last generation replayed into the passive copy (0 before the first): the
    passive checkpoint, whose log the copy keeps (its headers require it)."""
    passive = sg.copy("passive")
    if srv.world.hosts.host(passive.host).crashed:
        return 0  # unknown while the copy cannot be reached: nothing may be truncated
    chk = srv.files(passive.host).checkpoint(sg, passive)
    return 0 if chk is None else chk[0]


def ship(srv: ExchangeServer, sg: StorageGroup, gen: int) -> None:
    """Queue generation ``gen`` for the passive copy and ship what can be shipped."""
    if not replicated(sg):
        return
    sg.pending.append(gen)
    catch_up(srv, sg)


def catch_up(srv: ExchangeServer, sg: StorageGroup) -> None:
    """Copy and replay the pending generations in order, unless replay is suspended or the
    passive copy's host cannot be reached (they stay pending)."""
    if not replicated(sg) or sg.replay_suspended or sg.suspended:
        return
    passive = sg.copy("passive")
    if srv.world.hosts.host(passive.host).crashed:
        return
    while sg.pending:
        gen = sg.pending[0]
        try:
            _ship_one(srv, sg, passive, gen)
        except HostError as exc:
            srv.world.emit("exchange.ship_failed", sg=sg.name, generation=gen, reason=str(exc))
            return
        sg.pending.pop(0)


def _ship_one(srv: ExchangeServer, sg: StorageGroup, passive: CopyLayout, gen: int) -> None:
    name = F.log_name(sg.prefix, gen, srv.version)
    srv.world.faults.check("exchange.ship", HostError, sg=sg.name, generation=str(gen))
    source = srv.files(sg.active.host)
    target = srv.files(passive.host)
    block = source.block(join(sg.active.log_path, name), 0)
    dest = join(passive.log_path, name)
    target.ensure(dest, 1)
    target.write(dest, {0: block})
    _, sig, records = target.log(dest)
    for db in sg.databases:
        _seed_header(target, passive, sg, db, sig)
    for rec in records:
        for db in sg.databases:
            if db.guid == rec[2]:
                ese.redo(target, passive, db, rec)
    target.write_checkpoint(sg, passive, gen, sig)
    for db in sg.databases:
        hdr = target.header(passive.edb(db))
        hdr["log_required"] = (gen, gen)
        target.write_header(passive.edb(db), hdr)
    srv.world.emit("exchange.replayed", sg=sg.name, generation=gen)


def _seed_header(
    target: ese.EseFiles, passive: CopyLayout, sg: StorageGroup, db: object, sig: str
) -> None:
    """A passive copy is always in replay: its headers say Dirty Shutdown."""
    path = passive.edb(db)  # type: ignore[arg-type]
    hdr = target.header(path)
    if hdr["state"] != F.DIRTY or hdr["log_signature"] != sig:
        hdr["state"], hdr["log_signature"] = F.DIRTY, sig
        target.write_header(path, hdr)
