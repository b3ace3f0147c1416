"""A SQL Server instance on a simulated Windows host: its service, databases and error log.

The instance is the world application (``kind = "mssql"``). Its databases' files live on
the host's NTFS volumes; the instance holds them open while a database is online (a volume
in use is not dismounted without force). It dies with its host and, as the SQL Server
service starts automatically, comes back at the next call once the host is up, recovering
every database that was online. The database list is the instance's own (``master`` sits
on the unmodelled system volume ``C:``).

``commits`` is the test oracle: each acknowledged commit (simulated time, database,
changes); the engine never reads it. :func:`fold` gives the rows a database must hold at an
instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import ApprmError, HostError
from apprm_ref.persist import persistable
from apprm_ref.sim.sqlserver import formats as F
from apprm_ref.sim.sqlserver.database import OFFLINE, ONLINE, RESTORING, SqlDatabase
from apprm_ref.sim.sqlserver.errors import IoFrozenError, SqlServerError, message

Change = tuple[str, str, Any]  # table, key, value (None deletes)
WORKLOAD_TABLE = "orders"


@dataclass(frozen=True)
class FileIo:
    """A database's view of the host's files (every read and write goes to the arrays)."""

    hosts: Any
    host: str

    def read_block(self, path: str, block: int) -> Any:
        return self.hosts.read_block(self.host, path, block)

    def write_file(self, path: str, blocks: dict[int, Any]) -> None:
        self.hosts.write_file(self.host, path, blocks)


@persistable("mssql.Commit")
@dataclass(frozen=True)
class Commit:
    at: float
    database: str
    changes: tuple[Change, ...]


@persistable("mssql.Instance")
@dataclass(eq=False)
class SqlServerInstance:
    name: str  # the world application name
    host: str
    instance: str = "MSSQLSERVER"  # the default instance; a named one is SERVER\\NAME
    version: str = "Microsoft SQL Server 2005"
    databases: dict[str, SqlDatabase] = field(default_factory=dict)
    running: bool = False
    errorlog: list[tuple[float, str]] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    # the workload's long transaction per database: (txn, its changes)
    pending: dict[str, tuple[int, tuple[Change, ...]]] = field(default_factory=dict)
    counter: int = 0
    backup_history: list[tuple[float, str, str]] = field(default_factory=list)  # msdb
    freeze_stall: float = 0.0  # seconds the writer's Freeze takes (a drill's hang)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    kind = "mssql"

    def attach(self, world: Any) -> None:
        self.world = world

    @property
    def io(self) -> FileIo:
        return FileIo(self.world.hosts, self.host)

    @property
    def server_name(self) -> str:
        """``@@SERVERNAME``: the host, or ``HOST\\INSTANCE`` for a named instance."""
        base = self.host.upper()
        return base if self.instance == "MSSQLSERVER" else f"{base}\\{self.instance}"

    def log(self, text: str) -> None:
        self.errorlog.append((self.world.now(), text))

    # --- the service --------------------------------------------------------------------

    def alive(self) -> bool:
        """Down with its host; started again (automatic start) once the host is up."""
        host = self.world.hosts.host(self.host)
        if host.crashed:
            if self.running:
                self._lose_memory()
            return False
        if not self.running:
            self.start()
        return True

    def _lose_memory(self) -> None:
        self.running = False
        self.pending = {}
        for db in self.databases.values():
            db.drop_memory()

    def start(self) -> None:
        """Service start: every database that was online is recovered; one whose files
        cannot be read stays closed (RECOVERY_PENDING in SQL Server's words)."""
        self.running = True
        for db in self._sorted():
            if db.state == ONLINE:
                try:
                    self.open_database(db)
                except ApprmError as exc:
                    self.log(f"Error opening database '{db.name}': {exc.message}")

    def stop(self) -> None:
        """Clean service stop: open transactions rolled back, checkpoints, files closed."""
        self.alive()
        for db in self._sorted():
            if db.open:
                self.close_database(db)
        self.running = False

    def _sorted(self) -> list[SqlDatabase]:
        return [self.databases[n] for n in sorted(self.databases)]

    # --- CREATE DATABASE ----------------------------------------------------------------

    def create_database(
        self, name: str, data_path: str, log_path: str, *, data_blocks: int, log_blocks: int
    ) -> SqlDatabase:
        """``CREATE DATABASE name ON (FILENAME=data) LOG ON (FILENAME=log)``: both files
        made on the host's volumes, formatted, and the database opened."""
        self.alive()
        if name in self.databases:
            raise SqlServerError(1801, db=name)
        hosts = self.world.hosts
        for path in (data_path, log_path):
            if hosts.file_exists(self.host, path):
                raise SqlServerError(5170, path=path)
        db_id = 5 + len(self.databases)  # user databases number from 5
        guid = _guid(self.host, self.instance, name, str(db_id))
        hosts.create_file(self.host, data_path, data_blocks)
        hosts.create_file(self.host, log_path, log_blocks)
        db = SqlDatabase(name, db_id, guid, data_path, log_path, data_blocks - 1, log_blocks - 1)
        hosts.write_file(self.host, log_path, {0: (F.LDF_MAGIC, name, guid)})
        hosts.write_file(self.host, data_path, {0: F.boot_page(name, guid, db_id, 0, 0, True)})
        self.databases[name] = db
        db.open = True
        db.checkpoint(self.io)
        self._hold(db, +1)
        return db

    # --- opening and closing a database -------------------------------------------------

    def open_database(self, db: SqlDatabase) -> None:
        self.log(message(17137, db=db.name))
        forward, back = db.recover(self.io)
        self._hold(db, +1)
        self.log(message(3453, n=forward, db=db.name, dbid=db.db_id))
        self.log(message(3455, n=back, db=db.name, dbid=db.db_id))
        self.log(message(3450, db=db.name, dbid=db.db_id))
        db.state = ONLINE

    def close_database(self, db: SqlDatabase) -> None:
        if db.open:
            self.pending.pop(db.name, None)
            db.close(self.io)
            self._hold(db, -1)

    def _hold(self, db: SqlDatabase, delta: int) -> None:
        hosts = self.world.hosts
        for path in (db.data_path, db.log_path):
            mp = hosts.mount_of(self.host, path)[0].mount_point
            (hosts.hold if delta > 0 else hosts.release)(self.host, mp)

    def database(self, name: str) -> SqlDatabase:
        self.alive()
        db = self.databases.get(name)
        if db is None:
            raise SqlServerError(911, db=name)
        return db

    def set_offline(self, name: str) -> None:
        """``ALTER DATABASE .. SET OFFLINE WITH ROLLBACK IMMEDIATE``."""
        db = self.database(name)
        self.close_database(db)
        db.state = OFFLINE

    def set_online(self, name: str) -> None:
        """``ALTER DATABASE .. SET ONLINE`` (or ``RESTORE .. WITH RECOVERY``): recovery runs."""
        db = self.database(name)
        if db.open:
            return
        self.open_database(db)

    def set_restoring(self, name: str) -> None:
        """Left waiting for more restores (``WITH NORECOVERY``): closed, not recovered."""
        db = self.database(name)
        self.close_database(db)
        db.state = RESTORING

    # --- I/O freeze for snapshot backups (the SQL writer's Freeze/Thaw) -----------------

    def freeze(self, name: str) -> None:
        """``BACKUP DATABASE .. WITH SNAPSHOT`` starts: the log is flushed, I/O frozen."""
        db = self.database(name)
        if not db.open:
            raise SqlServerError(942 if db.state == OFFLINE else 945, db=name)
        db.flush_log(self.io)
        db.frozen = True
        self.log(message(3197, db=name))

    def thaw(self, name: str) -> None:
        db = self.database(name)
        if db.frozen:
            db.frozen = False
            self.log(message(3198, db=name))

    # --- transactions -------------------------------------------------------------------

    def transact(self, name: str, changes: list[Change]) -> int:
        """One committed transaction; refused whole (nothing logged) when it cannot run."""
        db = self.database(name)
        if db.frozen:
            raise IoFrozenError(name)
        txn = db.begin()
        try:
            for table, key, value in changes:
                db.write(self.io, txn, table, key, value)
            at = db.commit(self.io, txn)
        except ApprmError:
            if txn in db.open_txns and db.open:
                db.rollback(self.io, txn)
            raise
        self.commits.append(Commit(self.world.now(), name, tuple(changes)))
        return at

    def apply_workload(self, n: int) -> int:
        """``n`` commits spread over the online databases. Each database also keeps one
        transaction open from one epoch to the next (committed first thing in the next):
        its change is flushed by the epoch's commits, so a snapshot between epochs always
        holds work that recovery must roll back."""
        if not self.alive():
            raise HostError(f"{self.host} is down", code="EHOSTDOWN")
        online = [db for db in self._sorted() if db.open and db.state == ONLINE]
        for db in online:
            self._roll_long_txn(db)
        done = 0
        for i in range(n if online else 0):
            db = online[i % len(online)]
            self.counter += 1
            self.transact(db.name, [(WORKLOAD_TABLE, f"k{self.counter % 97}", f"v{self.counter}")])
            done += 1
        return done

    def workload(self, n: int) -> list[Commit]:
        """``apply_workload`` giving the commits it acknowledged (``apprm lab workload``)."""
        before = len(self.commits)
        self.apply_workload(n)
        return self.commits[before:]

    def _roll_long_txn(self, db: SqlDatabase) -> None:
        old = self.pending.pop(db.name, None)
        if old is not None and old[0] in db.open_txns:
            db.commit(self.io, old[0])
            self.commits.append(Commit(self.world.now(), db.name, old[1]))
        self.counter += 1
        change = ("audit", f"a{self.counter}", f"open{self.counter}")
        txn = db.begin()
        db.write(self.io, txn, *change)
        self.pending[db.name] = (txn, (change,))

    # --- VSS ------------------------------------------------------------------------------

    def vss_writers(self, host: str) -> list[Any]:
        """The SQL writer of ``host``: one per host for every instance on it, given by the
        first instance (by name) so the service sees it once."""
        from apprm_ref.sim.sqlserver.writer import SqlServerWriter

        mine = sorted(
            n
            for n, a in self.world.apps.items()
            if getattr(a, "kind", "") == "mssql" and a.host == host
        )
        return [SqlServerWriter(self.world, host)] if mine and mine[0] == self.name else []

    # --- what tests and drills read -----------------------------------------------------

    def data(self) -> dict[str, Any]:
        """Committed rows of every database, read through the server (a closed database
        is unavailable, which never equals a real state)."""
        self.alive()
        return {db.name: db.committed_rows(self.io) for db in self._sorted()}

    def database_data(self, name: str) -> dict[str, Any]:
        return self.database(name).committed_rows(self.io)

    def in_backup_mode(self) -> bool:
        """Any database with I/O frozen for a snapshot."""
        return any(db.frozen for db in self.databases.values())

    def check_invariants(self) -> list[str]:
        out = []
        for db in self._sorted():
            if db.frozen and not db.open:
                out.append(f"{db.name}: I/O frozen on a closed database")
            if db.open and db.state != ONLINE:
                out.append(f"{db.name}: files open in state {db.state}")
            if db.log_buffer and not db.open:
                out.append(f"{db.name}: log records buffered on a closed database")
        return out


def fold(commits: list[Commit], database: str, *, until: float) -> dict[str, dict[str, Any]]:
    """The rows ``database`` must hold after recovery to the instant ``until``: every commit
    acknowledged before it, in order (the test oracle)."""
    rows: dict[tuple[str, str], Any] = {}
    for c in commits:
        if c.database == database and c.at <= until:
            for table, key, value in c.changes:
                if value is None:
                    rows.pop((table, key), None)
                else:
                    rows[(table, key)] = value
    out: dict[str, dict[str, Any]] = {}
    for (table, key), value in sorted(rows.items()):
        out.setdefault(table, {})[key] = value
    return out


def _guid(*parts: str) -> str:
    import hashlib

    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def sql_in_backup_mode(backend: SqlServerInstance) -> bool:
    """Any database of the instance with its I/O frozen for a snapshot."""
    return backend.in_backup_mode()
