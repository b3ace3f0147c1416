"""Managing an LCR/CCR copy: suspend and resume replication, reseed the passive copy
(``Update-StorageGroupCopy``), move a clustered mailbox server to the other node, and link a
database to the recovery storage group (Exchange 2007 Management Shell; technet bb124521).

A restore to a replicated storage group needs its copy suspended (the store writer refuses
otherwise); afterwards the passive copy no longer matches and is reseeded from the active
one, then replication resumes. After an instant recovery of a passive-copy replica the
restored files are on the passive node: the clustered mailbox server moves there, mounts
them (log replay) and the other node is reseeded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.sim.exchange import stream
from apprm_ref.sim.exchange.models import DatabaseDef, ExchangeError, StorageGroup, join
from apprm_ref.sim.exchange.replication import catch_up, replicated

if TYPE_CHECKING:
    from apprm_ref.sim.exchange.store import ExchangeServer


def _replicated(srv: ExchangeServer, name: str) -> StorageGroup:
    sg = srv.sg(name)
    if not replicated(sg):
        raise ExchangeError(f"{sg.name} has no storage group copy", jet=-1003)
    return sg


def suspend(srv: ExchangeServer, name: str) -> None:
    _replicated(srv, name).suspended = True


def resume(srv: ExchangeServer, name: str) -> None:
    sg = _replicated(srv, name)
    sg.suspended = False
    catch_up(srv, sg)


def reseed(srv: ExchangeServer, name: str) -> None:
    """The passive copy gets the active databases as they are now (pages flushed first), the
    active copy's last closed log, and no other log; its replay point is that log."""
    sg = _replicated(srv, name)
    if not sg.suspended:
        raise ExchangeError(f"{sg.name}: suspend the copy before reseeding it", jet=-1003)
    srv._up()
    passive = sg.copy("passive")
    src, dst = srv.files(sg.active.host), srv.files(passive.host)
    stream.flush(srv, sg)
    gen, sig, _ = src.log(stream.current_path(sg))
    for path in dst.closed_logs(sg, passive, srv.version).values():
        dst.delete(path)
    stale = join(passive.log_path, f"{sg.prefix}.log")  # a former active copy's current log
    if dst.exists(stale):
        dst.delete(stale)
    for db in sg.databases:
        for a, b in zip(sg.active.files_of(db), passive.files_of(db), strict=True):
            blocks = srv.world.hosts.read_file(sg.active.host, a)
            dst.ensure(b, len(blocks))
            dst.write(b, dict(enumerate(blocks)))
    point = gen - 1
    closed = src.closed_logs(sg, sg.active, srv.version)
    if point in closed:
        name_ = closed[point].rsplit("\\", 1)[-1]
        dst.ensure(join(passive.log_path, name_), 1)
        dst.write(join(passive.log_path, name_), {0: src.block(closed[point], 0)})
    src.write_checkpoint(sg, sg.active, gen, sig)
    dst.write_checkpoint(sg, passive, max(point, 0), sig)
    for db in sg.databases:
        hdr = dst.header(passive.edb(db))
        hdr.update(state="Dirty Shutdown", log_required=(max(point, 0), max(point, 0)))
        dst.write_header(passive.edb(db), hdr)
    sg.pending = []
    srv.world.emit("exchange.reseed", sg=sg.name, replay_point=point)


def move_server(srv: ExchangeServer, name: str) -> None:
    """The passive copy becomes the active one: CCR moves the clustered mailbox server (all
    its CCR storage groups) to the other node; LCR switches the storage group's copies
    (``Restore-StorageGroupCopy``). The databases must be dismounted."""
    sg = _replicated(srv, name)
    moving = (
        [g for g in srv.storage_groups if g.replication == "ccr"]
        if sg.replication == "ccr"
        else [sg]
    )
    if any(db.guid in srv.mounted for g in moving for db in g.databases):
        raise ExchangeError(f"{srv.server}: dismount the databases before the switch", jet=-1032)
    for group in moving:
        assert group.passive is not None
        group.active, group.passive = group.passive, group.active
        group.pending = []
    if sg.replication == "ccr":
        srv.host = sg.active.host
    srv.world.emit("exchange.move", server=srv.server, node=sg.active.host)


def add_to_recovery_group(
    srv: ExchangeServer, rsg_name: str, sg_name: str, db_name: str
) -> tuple[str, ...]:
    """The recovery storage group gets the database (same GUID, its own paths)."""
    rsg = srv.sg(rsg_name)
    if not rsg.recovery:
        raise ExchangeError(f"{rsg.name} is not a recovery storage group", jet=-1003)
    db = srv.sg(sg_name).database(db_name)
    if srv.version != 2007:
        raise ExchangeError(
            "restore to a recovery storage group is modelled on Exchange 2007", jet=-1003
        )
    linked = next((d for d in rsg.databases if d.name == db.name), None)
    if linked is None:
        if any(d.guid in srv.mounted for d in rsg.databases):
            raise ExchangeError(f"{rsg.name} holds a mounted database", jet=-1032)
        # the store tells the RSG's attachment from production's by the storage group
        linked = DatabaseDef(db.name, _rsg_guid(rsg, db), db.edb, db.stm, db.pages)
        rsg.databases = [linked]
    return (*rsg.active.files_of(linked), rsg.active.log_path, rsg.active.system_path)


def copy_across(world: Any, src_host: str, src: str, dst_host: str, dst: str) -> None:
    """Copy a file between hosts (a destination that exists must be large enough)."""
    hosts = world.hosts
    blocks = hosts.read_file(src_host, src)
    if hosts.file_exists(dst_host, dst):
        mnt, rel = hosts.mount_of(dst_host, dst)
        if mnt.files[rel].length < len(blocks):
            raise ExchangeError(f"{dst} exists and is smaller than {src}", jet=-1811)
    else:
        hosts.create_file(dst_host, dst, len(blocks))
    hosts.write_file(dst_host, dst, dict(enumerate(blocks)))


def _rsg_guid(rsg: StorageGroup, db: DatabaseDef) -> str:
    from apprm_ref.sim.exchange.formats import checksum

    h = f"{checksum(rsg.guid, db.guid):08x}{checksum(db.guid, rsg.guid):08x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{db.guid[19:]}"
