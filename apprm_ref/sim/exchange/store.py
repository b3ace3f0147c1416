"""The simulated Exchange server: the Information Store over files on the host's volumes.

Durable truth is in the files (database headers and pages, logs, checkpoints, see
``formats``); the fields after the layout are the running store (which databases are
mounted, the page cache). Losing them (a host crash) is exactly a store crash: the next
mount replays the logs from the checkpoint (``ese.replay``), so an instant recovery of a
shadow copy taken while the store ran comes back at the copy's instant.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.persist import persistable
from apprm_ref.sim.exchange import ese, stream
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import (
    BackupInProgress,
    DatabaseDef,
    ExchangeError,
    StorageGroup,
    join,
)

MAILBOXES = 8  # mailboxes per database the workload writes to


@persistable("exchange.Server")
@dataclass(eq=False)
class ExchangeServer:
    name: str  # the world's application name
    server: str  # the Exchange server (for CCR the clustered mailbox server) name
    host: str  # the node running the store (CCR: the active node)
    version: int
    storage_groups: list[StorageGroup]
    # --- the running store (lost with its host) ---
    mounted: list[str] = field(default_factory=list)  # database GUIDs
    cache: dict[tuple[str, str, int], tuple[Any, int]] = field(default_factory=dict)
    held: list[tuple[str, str]] = field(default_factory=list)  # (host, mount point)
    backups: dict[str, BackupInProgress] = field(default_factory=dict)  # by storage group
    world: Any = field(default=None, metadata={"transient": True}, repr=False)
    kind = "exchange"

    def attach(self, world: Any) -> None:
        self.world = world

    def vss_writers(self, host: str) -> list[Any]:
        """The Exchange writers on ``host`` (the VSS service asks every application)."""
        from apprm_ref.sim.exchange.writer import writers_of

        return writers_of(self.world, self.name, host)

    def files(self, host: str) -> ese.EseFiles:
        return ese.EseFiles(self.world.hosts, host)

    # --- lookups ----------------------------------------------------------------------

    def sg(self, name: str) -> StorageGroup:
        for sg in self.storage_groups:
            if sg.name == name:
                return sg
        raise ExchangeError(f"{self.server}: no storage group {name}", jet=-1811)

    def mounted_dbs(self, sg: StorageGroup) -> list[DatabaseDef]:
        return [db for db in sg.databases if db.guid in self.mounted]

    def checkpoint_of(self, sg: StorageGroup, current: int) -> int:
        guids = {db.guid for db in sg.databases}
        return min(
            (first for k, (_, first) in self.cache.items() if k[0] in guids), default=current
        )

    def page_rows(self, sg: StorageGroup, db: DatabaseDef, kind: str, pgno: int) -> ese.Rows:
        hit = self.cache.get((db.guid, kind, pgno))
        if hit is not None:
            return tuple(hit[0][3])
        path = sg.active.edb(db) if kind == "edb" else sg.active.stm(db)
        assert path is not None
        return self.files(sg.active.host).rows(path, pgno)[1]

    # --- the store process ------------------------------------------------------------

    def alive(self) -> bool:
        """The store dies with its host: detect it (the host is down, or the volumes it held
        were remounted by a boot since) and drop the running state."""
        if self.mounted and (self.world.hosts.host(self.host).crashed or self._lost_holds()):
            self.mounted, self.cache, self.held, self.backups = [], {}, [], {}
            for sg in self.storage_groups:
                sg.frozen = False
        return bool(self.mounted)

    def _lost_holds(self) -> bool:
        hosts = self.world.hosts
        for host, mp in self.held:
            mnt = hosts.host(host).mounts.get(mp)
            if mnt is None or mnt.holders == 0:
                return True
        return False

    def _up(self) -> None:
        self.alive()
        if self.world.hosts.host(self.host).crashed:
            raise ExchangeError(f"{self.host} is down", jet=-1032, code="MAPI_E_NETWORK_ERROR")

    def mount(self, sg_name: str, db_name: str) -> None:
        """Mount-Database: soft recovery of a dirty database (logs from its Log Required),
        then attach it to the stream (header Dirty Shutdown until it is dismounted)."""
        self._up()
        sg = self.sg(sg_name)
        db = sg.database(db_name)
        if db.guid in self.mounted:
            return
        self.world.faults.check("exchange.mount", ExchangeError, server=self.name, db=db.name)
        if sg.recovery is False and sg.name in self.backups and sg.frozen:
            raise ExchangeError(f"{sg.name} is frozen for a shadow copy", jet=-505)
        files = self.files(sg.active.host)
        hdr = files.header(sg.active.edb(db))
        if hdr["state"] == F.DIRTY:
            last = ese.replay(files, sg, sg.active, self.version, [db])
            hdr = files.header(sg.active.edb(db))
            hdr["last_consistent"] = (last, self.world.now())
        gen, sig = self._stream(sg, hdr)
        checkpoint = self.checkpoint_of(sg, gen)
        hdr.update(state=F.DIRTY, log_required=(checkpoint, gen), log_signature=sig)
        hdr["current_shadow"] = None
        files.write_header(sg.active.edb(db), hdr)
        if files.checkpoint(sg, sg.active) is None or not self.mounted_dbs(sg):
            files.write_checkpoint(sg, sg.active, checkpoint, sig)
        self.mounted.append(db.guid)
        self._rehold()
        self.world.emit("exchange.mount", server=self.name, sg=sg.name, db=db.name)

    def _stream(self, sg: StorageGroup, hdr: dict[str, Any]) -> tuple[int, str]:
        """The current generation and signature; a database with no logs left starts a new
        stream after the last closed generation (or at 1)."""
        files = self.files(sg.active.host)
        current = stream.current_path(sg)
        if files.exists(current):
            gen, sig, _ = files.log(current)
            return gen, sig
        closed = files.closed_logs(sg, sg.active, self.version)
        gen = (max(closed) + 1) if closed else max(1, hdr["last_consistent"][0] + 1)
        sig = hdr["log_signature"] if closed else self.signature(f"{sg.guid}:{gen}")
        files.ensure(current, 1)
        files.write(current, {0: F.log_block(gen, sig, ())})
        return gen, sig

    def signature(self, seed: str) -> str:
        when = self.world.clock.datetime().strftime("%m/%d/%Y %H:%M:%S")
        return f"Create time:{when} Rand:{F.checksum(seed, when) % 1000000000} Computer:"

    def dismount(self, sg_name: str, db_name: str) -> None:
        """Dismount-Database: flush the database's pages; header Clean Shutdown, 0-0."""
        self._up()
        sg = self.sg(sg_name)
        db = sg.database(db_name)
        if db.guid not in self.mounted:
            return
        self._flush_db(sg, db)
        files = self.files(sg.active.host)
        gen = files.log(stream.current_path(sg))[0]
        hdr = files.header(sg.active.edb(db))
        hdr.update(state=F.CLEAN, log_required=(0, 0), last_consistent=(gen, self.world.now()))
        files.write_header(sg.active.edb(db), hdr)
        self.mounted.remove(db.guid)
        if self.mounted_dbs(sg):
            files.write_checkpoint(sg, sg.active, self.checkpoint_of(sg, gen), hdr["log_signature"])
        else:
            files.write_checkpoint(sg, sg.active, gen, hdr["log_signature"])
        self._rehold()
        self.world.emit("exchange.dismount", server=self.name, sg=sg.name, db=db.name)

    def _flush_db(self, sg: StorageGroup, db: DatabaseDef) -> None:
        files = self.files(sg.active.host)
        for key in sorted(k for k in self.cache if k[0] == db.guid):
            path = sg.active.edb(db) if key[1] == "edb" else sg.active.stm(db)
            assert path is not None
            files.write(path, {key[2]: self.cache.pop(key)[0]})

    def _rehold(self) -> None:
        """A mounted database keeps its volumes (data, logs, system path) in use."""
        hosts = self.world.hosts
        for host, mp in self.held:
            with contextlib.suppress(HostError):
                hosts.release(host, mp)
        self.held = []
        for sg in self.storage_groups:
            if not self.mounted_dbs(sg):
                continue
            paths = [join(sg.active.log_path, "x"), join(sg.active.system_path, "x")]
            paths += [p for db in self.mounted_dbs(sg) for p in sg.active.files_of(db)]
            for path in paths:
                mnt, _ = hosts.mount_of(sg.active.host, path)
                if (sg.active.host, mnt.mount_point) not in self.held:
                    hosts.hold(sg.active.host, mnt.mount_point)
                    self.held.append((sg.active.host, mnt.mount_point))

    # --- mailbox contents -------------------------------------------------------------

    def deliver(self, sg_name: str, db_name: str, mailbox: str, subject: str, body: str) -> str:
        """A message delivered to ``mailbox``; returns its message id."""
        sg, db = self._writable(sg_name, db_name)
        gen, n = stream.next_lgpos(self, sg)
        msg = f"{gen:X}-{n}"
        stream.change(self, sg, db, "deliver", mailbox, msg, subject, body)
        return msg

    def delete(self, sg_name: str, db_name: str, mailbox: str, msg: str) -> None:
        sg, db = self._writable(sg_name, db_name)
        stream.change(self, sg, db, "delete", mailbox, msg)

    def _writable(self, sg_name: str, db_name: str) -> tuple[StorageGroup, DatabaseDef]:
        self._up()
        sg = self.sg(sg_name)
        db = sg.database(db_name)
        if db.guid not in self.mounted:
            raise ExchangeError(f"{sg.name}\\{db.name} is not mounted", jet=-1032)
        return sg, db

    def mailbox_rows(self, sg: StorageGroup, db: DatabaseDef) -> list[tuple[str, ...]]:
        """Every message of a mounted database: (mailbox, id, subject, body)."""
        out = []
        for pgno in range(1, db.pages + 1):
            rows = self.page_rows(sg, db, "edb", pgno)
            if db.stm:
                bodies = {(r[0], r[1]): r[2] for r in self.page_rows(sg, db, "stm", pgno)}
                rows = tuple((*r, bodies.get((r[0], r[1]), "")) for r in rows)
            out.extend(tuple(r) for r in rows)
        return sorted(out)

    def copy_contents(self, sg_name: str, which: str) -> dict[str, list[tuple[str, ...]]]:
        """The messages a copy's files hold (no cache, no replay): a passive copy's content
        at its replay point, a dismounted active copy's at its last flush."""
        sg = self.sg(sg_name)
        copy = sg.copy(which)
        files = self.files(copy.host)
        out = {}
        for db in sg.databases:
            rows: list[tuple[str, ...]] = []
            stm = copy.stm(db)
            for pgno in range(1, db.pages + 1):
                page = files.rows(copy.edb(db), pgno)[1]
                bodies = {(r[0], r[1]): r[2] for r in files.rows(stm, pgno)[1]} if stm else {}
                rows += [tuple(r) + ((bodies.get((r[0], r[1]), ""),) if stm else ()) for r in page]
            out[db.name] = sorted(rows)
        return out

    def data(self) -> dict[str, Any]:
        """The committed mailbox contents by ``storage group/database`` (drill data checks)."""
        self.alive()
        out: dict[str, Any] = {}
        for sg in self.storage_groups:
            for db in sg.databases:
                key = f"{sg.name}/{db.name}"
                out[key] = self.mailbox_rows(sg, db) if db.guid in self.mounted else "dismounted"
        return out

    def workload(self, n: int) -> list[str]:
        """``n`` mailbox changes (``apprm lab workload``); returns the message ids touched."""
        return self.apply_workload(n)

    def apply_workload(self, n: int) -> list[str]:
        """``n`` deliveries (and some deletions) spread over the mounted databases."""
        self.alive()
        dbs = [(sg, db) for sg in self.storage_groups for db in self.mounted_dbs(sg)]
        if not dbs:
            raise ExchangeError(f"{self.server}: no database is mounted", jet=-1032)
        rnd = self.world.streams.get(f"exchange:{self.name}")
        done = []
        for _ in range(n):
            sg, db = dbs[rnd.randrange(len(dbs))]
            mailbox = f"user{rnd.randrange(MAILBOXES)}"
            mine = [r for r in self.mailbox_rows(sg, db) if r[0] == mailbox]
            if len(mine) > 2 and rnd.random() < 0.25:
                self.delete(sg.name, db.name, mailbox, mine[0][1])
                done.append(mine[0][1])
            else:
                subject = f"subject {rnd.randrange(10**6)}"
                done.append(self.deliver(sg.name, db.name, mailbox, subject, "body"))
        return done

    # --- invariants -------------------------------------------------------------------

    def check_invariants(self) -> list[str]:
        out = []
        guids = {db.guid for sg in self.storage_groups for db in sg.databases}
        out += [f"mounted unknown database {g}" for g in self.mounted if g not in guids]
        out += [
            f"cached page of unmounted database {k[0]}"
            for k in self.cache
            if k[0] not in self.mounted
        ]
        for sg in self.storage_groups:
            if sg.frozen and sg.name not in self.backups:
                out.append(f"{sg.name} frozen with no backup in progress")
        return sorted(out)
