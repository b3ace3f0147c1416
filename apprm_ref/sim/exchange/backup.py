"""What the store and the Replication service do for a VSS backup of a storage group.

The Exchange writers (``writer.py``) call these at the VSS events:

- ``begin``: one backup per storage group at a time (VC-I19): a second one is refused with
  ``JET_errBackupInProgress`` (-505), which the product turns into a queued session.
- ``freeze``/``thaw``: the active copy's store stops writing, after stamping the headers with
  the ``Current Shadow copy backup`` generations; a passive copy's replay is suspended, so
  its files hold still while the Replication service keeps copying nothing new.
- ``complete``: after a FULL (or INCREMENTAL) backup whose components were all successful,
  the active copy's headers get ``Previous Full Backup`` (for a passive-copy backup the
  Replication service asks the store to do it: the change reaches the passive copy through
  the log stream, sap-vss-addendum VSS-6), and logs below the backup's checkpoint, the
  active checkpoint and the passive replay point are truncated on both copies (VC-P6,
  VC-P20). COPY and DIFFERENTIAL backups, and unsuccessful ones, change no header and
  truncate nothing (VC-I9, VC-I20).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.exchange import stream
from apprm_ref.sim.exchange.models import BackupInProgress, ExchangeError, StorageGroup
from apprm_ref.sim.exchange.replication import catch_up, replay_point, replicated

if TYPE_CHECKING:
    from apprm_ref.sim.exchange.store import ExchangeServer

TRUNCATING = ("FULL", "INCREMENTAL")
HEADER_FIELD = {"FULL": "full", "INCREMENTAL": "incremental"}


def begin(srv: ExchangeServer, sg_name: str, copy: str, backup_type: str) -> BackupInProgress:
    srv._up()
    sg = srv.sg(sg_name)
    if sg.recovery:
        raise ExchangeError(f"{sg.name} is a recovery storage group", jet=-1003)
    running = srv.backups.get(sg.name)
    if running is not None:
        raise ExchangeError(f"{sg.name}: a {running.copy}-copy backup is in progress", jet=-505)
    if copy == "passive" and not replicated(sg):
        raise ExchangeError(f"{sg.name} has no passive copy to back up", jet=-1003)
    if copy == "active" and not srv.mounted_dbs(sg):
        raise ExchangeError(f"{sg.name}: no database is mounted", jet=-1032)
    bk = srv.backups[sg.name] = BackupInProgress(sg.name, copy, backup_type)
    return bk


def freeze(srv: ExchangeServer, sg_name: str) -> None:
    bk, sg = _backup(srv, sg_name)
    srv.alive()
    srv.world.faults.check("exchange.freeze", ExchangeError, server=srv.name, sg=sg.name)
    bk.frozen_at = srv.world.now()
    if bk.copy == "passive":
        sg.replay_suspended = True
        bk.lo = bk.hi = replay_point(srv, sg)
        return
    files = srv.files(sg.active.host)
    bk.hi = files.log(stream.current_path(sg))[0]
    bk.lo = srv.checkpoint_of(sg, bk.hi)
    for db in srv.mounted_dbs(sg):
        hdr = files.header(sg.active.edb(db))
        hdr["current_shadow"] = (bk.lo, bk.hi, bk.frozen_at)
        files.write_header(sg.active.edb(db), hdr)
    sg.frozen = True


def thaw(srv: ExchangeServer, sg_name: str) -> None:
    bk, sg = _backup(srv, sg_name)
    sg.frozen = False
    if bk.copy == "passive":
        sg.replay_suspended = False
        catch_up(srv, sg)


def complete(srv: ExchangeServer, sg_name: str, *, succeeded: bool) -> list[str]:
    """BackupComplete; returns the logs truncated, ``host:path``, on both copies."""
    bk, sg = _backup(srv, sg_name)
    thaw(srv, sg_name)
    del srv.backups[sg.name]
    gone: list[str] = []
    if succeeded and bk.backup_type in TRUNCATING:
        _stamp(srv, sg, bk)
        gone = truncate(srv, sg, bk.lo)
    _clear_shadow(srv, sg)
    srv.world.emit(
        "exchange.backup_complete",
        sg=sg.name,
        copy=bk.copy,
        succeeded=succeeded,
        truncated=len(gone),
    )
    return gone


def abort(srv: ExchangeServer, sg_name: str) -> None:
    """The backup ends without BackupComplete (Abort, or a failed set): nothing changes."""
    if sg_name not in srv.backups:
        return
    thaw(srv, sg_name)
    del srv.backups[sg_name]
    _clear_shadow(srv, srv.sg(sg_name))


def _backup(srv: ExchangeServer, sg_name: str) -> tuple[BackupInProgress, StorageGroup]:
    bk = srv.backups.get(sg_name)
    if bk is None:
        raise ExchangeError(f"{sg_name}: no backup in progress", jet=-1003)
    return bk, srv.sg(sg_name)


def _stamp(srv: ExchangeServer, sg: StorageGroup, bk: BackupInProgress) -> None:
    """``Previous Full Backup`` on the active headers; logged, so a passive copy gets it."""
    kind = HEADER_FIELD[bk.backup_type]
    files = srv.files(sg.active.host)
    for db in sg.databases:
        if db.guid not in srv.mounted:
            continue
        hdr = files.header(sg.active.edb(db))
        hdr[f"previous_{kind}"] = (bk.lo, bk.hi, bk.frozen_at, True)
        files.write_header(sg.active.edb(db), hdr)
        if replicated(sg):
            stream.append(srv, sg, (db.guid, "backup", kind, bk.lo, bk.hi, bk.frozen_at))


def truncation_point(srv: ExchangeServer, sg: StorageGroup, backup_lo: int) -> int:
    """Logs below this generation are truncated: the backup's own checkpoint, the active
    checkpoint and, with a passive copy, its replay point (VC-P20)."""
    current = srv.files(sg.active.host).log(stream.current_path(sg))[0]
    limit = min(backup_lo, srv.checkpoint_of(sg, current))
    if replicated(sg):
        limit = min(limit, replay_point(srv, sg))
    return limit


def truncate(srv: ExchangeServer, sg: StorageGroup, backup_lo: int) -> list[str]:
    limit = truncation_point(srv, sg, backup_lo)
    copies = [sg.active] + ([sg.copy("passive")] if replicated(sg) else [])
    gone = []
    for copy in copies:
        files = srv.files(copy.host)
        for gen, path in files.closed_logs(sg, copy, srv.version).items():
            if gen < limit:
                files.delete(path)
                gone.append(f"{copy.host}:{path}")
    return gone


def _clear_shadow(srv: ExchangeServer, sg: StorageGroup) -> None:
    files = srv.files(sg.active.host)
    for db in srv.mounted_dbs(sg):
        hdr = files.header(sg.active.edb(db))
        if hdr.get("current_shadow") is not None:
            hdr["current_shadow"] = None
            files.write_header(sg.active.edb(db), hdr)
