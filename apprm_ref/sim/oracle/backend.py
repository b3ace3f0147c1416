"""The simulated Oracle database: one instance over files that live on the host's filesystems.

Durable truth is on the files (SPFILE, control files, datafiles, online and archived logs);
the dataclass fields beyond the creation recipe are the *instance*: its state, the cached
control file and headers, the buffer cache, the current SCN and log position. Losing them
(``shutdown abort``, host crash) is exactly an instance crash.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drivers.oracle import RecoveryResult, RecoveryTarget
from apprm_ref.errors import HostError, OracleError
from apprm_ref.persist import persistable
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.admin import Admin
from apprm_ref.sim.oracle.creation import create_files, hash_int
from apprm_ref.sim.oracle.files import Files
from apprm_ref.sim.oracle.invariants import Invariants
from apprm_ref.sim.oracle.lifecycle import Lifecycle
from apprm_ref.sim.oracle.memo import ArchIndex, Memo
from apprm_ref.sim.oracle.models import OPEN, SHUTDOWN, Commit, History, OracleLayout
from apprm_ref.sim.oracle.recovery import Recovery, RecoveryRun
from apprm_ref.sim.oracle.redo import Redo
from apprm_ref.sim.oracle.transactions import Op, Transactions


def password_digest(user: str, password: str) -> str:
    return hashlib.sha256(f"{user.lower()}:{password}".encode()).hexdigest()


@persistable("oracle.Database")
@dataclass(eq=False)
class OracleDatabase:
    name: str  # DB_NAME (and the world's application name)
    host: str
    layout: OracleLayout  # creation recipe; the spfile path is the instance's pointer to it
    sid: str = ""
    users: dict[str, str] = field(default_factory=dict)  # user -> password digest (SYSDBA)
    dbwr_fraction: float = 0.5  # share of dirty blocks DBWR writes after each batch
    history: History | None = None  # test oracle of acknowledged commits (engine ignores it)
    # --- the instance (lost on abort / crash) ---
    status: str = SHUTDOWN
    params: dict[str, Any] = field(default_factory=dict)
    cf: dict[str, Any] = field(default_factory=dict)
    hdr: dict[int, dict[str, Any]] = field(default_factory=dict)
    cache: dict[tuple[int, int], Any] = field(default_factory=dict)
    dirty: dict[tuple[int, int], int] = field(default_factory=dict)
    scn: int = 0
    log_pos: int = 1
    held: list[str] = field(default_factory=list)
    arch_synced: int = field(default=-1, metadata={"transient": True}, repr=False)
    ts_files_cache: dict[str, list[int]] = field(
        default_factory=dict, metadata={"transient": True}, repr=False
    )
    memo: Memo = field(default_factory=Memo, metadata={"transient": True}, repr=False)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    kind = "oracle"

    # --- the parts the database is made of (the instance state above is theirs to share) --

    @functools.cached_property
    def files(self) -> Files:
        return Files(self)

    @functools.cached_property
    def redo(self) -> Redo:
        return Redo(self)

    @functools.cached_property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self)

    @functools.cached_property
    def txn(self) -> Transactions:
        return Transactions(self)

    @functools.cached_property
    def recovery(self) -> Recovery:
        return Recovery(self)

    @functools.cached_property
    def admin(self) -> Admin:
        return Admin(self)

    @functools.cached_property
    def invariants(self) -> Invariants:
        return Invariants(self)

    def attach(self, world: Any) -> None:
        self.world = world  # nothing runs in the background: archiving is synchronous

    # --- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        world: Any,
        name: str,
        host: str,
        layout: OracleLayout,
        *,
        users: dict[str, str] | None = None,
        track_history: bool = True,
        start_scn: int = 1000,
    ) -> OracleDatabase:
        """CREATE DATABASE on ``host``: files made on mounted filesystems, instance OPEN."""
        creds = users or {"sys": "change_on_install", "system": "manager"}
        db = cls(
            name=name,
            host=host,
            layout=layout,
            sid=name,
            users={u.lower(): password_digest(u, p) for u, p in creds.items()},
            history=History() if track_history else None,
        )
        world.add_app(db)
        create_files(db, start_scn)
        return db

    def new_resetlogs_id(self, scn: int) -> int:
        return hash_int("rl", self.cf["dbid"], scn, self.world.now(), len(self.cf["incarnations"]))

    # --- holds: a running instance keeps its filesystems busy ---------------------------------

    def hold_files(self, paths: Any) -> None:
        for path in paths:
            mnt, _ = self.files.hosts.mount_of(self.host, path)
            if mnt.mount_point not in self.held:
                self.files.hosts.hold(self.host, mnt.mount_point)
                self.held.append(mnt.mount_point)

    def release_all(self) -> None:
        for mp in self.held:
            with contextlib.suppress(HostError):  # the filesystem went away with a host crash
                self.files.hosts.release(self.host, mp)
        self.held = []

    def alive(self) -> bool:
        """An instance dies with its host: detect it and drop the instance state."""
        if self.status == SHUTDOWN:
            return False
        hosts = self.world.hosts
        host = hosts.hosts.get(self.host)  # ``hosts.host``'s hit, without its call
        if (host if host is not None else hosts.host(self.host)).crashed:
            self.drop_instance()
        return self.status != SHUTDOWN

    def drop_instance(self) -> None:
        self.release_all()
        self.status = SHUTDOWN
        self.params, self.cf, self.hdr = {}, {}, {}
        self.cache, self.dirty = {}, {}
        self.log_pos = 1
        self.forget_derived()

    def forget_derived(self) -> None:
        """Drop what was derived from the control file of the instance (mount, crash); the
        other memos check their sources on use and stay."""
        self.arch_synced, self.ts_files_cache = -1, {}
        self.memo.row_locs, self.memo.grids = {}, {}

    # --- checkpoints --------------------------------------------------------------------------

    # --- backup mode (V$BACKUP) ----------------------------------------------------------------

    # --- the commands of the database, each carried out by one of its parts ------------
    # the instance's own commands (buffer cache in txn, backup mode in admin)
    def checkpoint(self) -> None:
        return self.txn.checkpoint()

    def dbwr(self) -> None:
        return self.txn.dbwr()

    def begin_backup(self, tablespace: str | None = None) -> int:
        return self.admin.begin_backup(tablespace)

    def end_backup(self, tablespace: str | None = None) -> int:
        return self.admin.end_backup(tablespace)

    def backup_files(self) -> dict[int, int]:
        return self.admin.backup_files()

    def in_backup_mode(self) -> bool:
        return self.admin.in_backup_mode()

    # Files (files.py)
    @property
    def hosts(self) -> Any:
        return self.files.hosts

    def exists(self, path: str) -> bool:
        return self.files.exists(path)

    def read_block(self, path: str, block: int) -> Any:
        return self.files.read_block(path, block)

    def write_blocks(self, path: str, blocks: dict[int, Any]) -> None:
        return self.files.write_blocks(path, blocks)

    def ensure_file(self, path: str, blocks: int) -> None:
        return self.files.ensure_file(path, blocks)

    def read_spfile(self, path: str) -> dict[str, Any]:
        return self.files.read_spfile(path)

    def cf_paths(self) -> list[str]:
        return self.files.cf_paths()

    def read_controlfile(self, path: str) -> dict[str, Any] | None:
        return self.files.read_controlfile(path)

    def read_controlfiles(self, paths: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
        return self.files.read_controlfiles(paths)

    def cf_capacity(self, nblocks: int) -> int:
        return self.files.cf_capacity(nblocks)

    def encode_controlfile(
        self, cf: dict[str, Any], *, full: bool, archives: bool = True
    ) -> dict[int, Any]:
        return self.files.encode_controlfile(cf, full=full, archives=archives)

    def write_controlfile(self, *, full: bool = False) -> None:
        return self.files.write_controlfile(full=full)

    def read_header(self, path: str) -> dict[str, Any] | None:
        return self.files.read_header(path)

    def write_header(self, file_no: int) -> None:
        return self.files.write_header(file_no)

    def write_data_blocks(self, blocks: dict[tuple[int, int], Any]) -> None:
        return self.files.write_data_blocks(blocks)

    def read_log(self, path: str) -> tuple[dict[str, Any], list[F.Record]] | None:
        return self.files.read_log(path)

    def write_log_header(self, group: dict[str, Any], group_no: int) -> None:
        return self.files.write_log_header(group, group_no)

    # Redo (redo.py)
    def archive_dest(self) -> str:
        return self.redo.archive_dest()

    def archive_path(self, seq: int, rl_id: int) -> str:
        return self.redo.archive_path(seq, rl_id)

    def archivelog(self) -> bool:
        return self.redo.archivelog()

    def write_redo(self, records: tuple[F.Record, ...]) -> None:
        return self.redo.write_redo(records)

    def switch_log(self, *, strict: bool = False) -> None:
        return self.redo.switch_log(strict=strict)

    def arch_index(self) -> ArchIndex:
        return self.redo.arch_index()

    def locate_log(
        self, seq: int, rl_id: int, *, online_only: bool = False
    ) -> tuple[str, dict[str, Any], list[F.Record]] | None:
        return self.redo.locate_log(seq, rl_id, online_only=online_only)

    def known_logs(self, rl_id: int) -> list[tuple[int, int, int | None]]:
        return self.redo.known_logs(rl_id)

    def log_bounds(self, seq: int, rl_id: int) -> tuple[int, int, int | None] | None:
        return self.redo.log_bounds(seq, rl_id)

    # Lifecycle (lifecycle.py)
    def require_state(self, *states: str) -> None:
        return self.lifecycle.require_state(*states)

    def startup(self, to: str = OPEN) -> None:
        return self.lifecycle.startup(to)

    def mount(self) -> None:
        return self.lifecycle.mount()

    def open(self, resetlogs: bool | None = None) -> None:
        return self.lifecycle.open(resetlogs)

    def open_database(self) -> None:
        return self.lifecycle.open_database()

    def shutdown(self, mode: str = "IMMEDIATE") -> None:
        return self.lifecycle.shutdown(mode)

    def transact(self, transactions: list[tuple[Op, ...]]) -> list[Commit]:
        return self.txn.transact(transactions)

    def select(self, table: str) -> dict[str, Any]:
        return self.txn.select(table)

    def data(self) -> dict[str, dict[str, Any]]:
        return self.txn.data()

    def workload(self, commits: int, *, ops_per_commit: int = 2, keys: int = 40) -> list[Commit]:
        return self.txn.workload(commits, ops_per_commit=ops_per_commit, keys=keys)

    def apply_workload(self, commits: int, *, ops_per_commit: int = 2, keys: int = 40) -> int:
        return self.txn.apply_workload(commits, ops_per_commit=ops_per_commit, keys=keys)

    # Recovery (recovery.py)
    def recover(
        self, target: RecoveryTarget, *, using_backup_controlfile: bool = False
    ) -> RecoveryResult:
        return self.recovery.recover(target, using_backup_controlfile=using_backup_controlfile)

    def recover_run(
        self, target: RecoveryTarget, using_backup_controlfile: bool = False
    ) -> tuple[RecoveryResult, RecoveryRun, OracleError | None]:
        return self.recovery.recover_run(target, using_backup_controlfile)

    def recovery_precheck(self, target: RecoveryTarget, using_backup_controlfile: bool) -> bool:
        return self.recovery.recovery_precheck(target, using_backup_controlfile)

    def crash_recovery(self, headers: dict[int, dict[str, Any]]) -> None:
        return self.recovery.crash_recovery(headers)

    def open_resetlogs(self) -> None:
        return self.recovery.open_resetlogs()

    # Admin (admin.py)
    def switch_logfile(self) -> None:
        return self.admin.switch_logfile()

    def archive_log_current(self) -> dict[str, Any]:
        return self.admin.archive_log_current()

    def backup_controlfile(self, path: str, *, reuse: bool = False) -> None:
        return self.admin.backup_controlfile(path, reuse=reuse)

    def backup_controlfile_trace(
        self, path: str | None, *, reuse: bool = False, resetlogs: bool = False
    ) -> str:
        return self.admin.backup_controlfile_trace(path, reuse=reuse, resetlogs=resetlogs)

    def end_backup_datafiles(self, refs: list[int | str]) -> int:
        return self.admin.end_backup_datafiles(refs)

    def end_backup_of(self, active: list[int]) -> int:
        return self.admin.end_backup_of(active)

    def suspend(self) -> None:
        return self.admin.suspend()

    def resume(self) -> None:
        return self.admin.resume()

    def suspended(self) -> bool:
        return self.admin.suspended()

    def require_io(self) -> None:
        return self.admin.require_io()

    def set_log_mode(self, mode: str) -> None:
        return self.admin.set_log_mode(mode)

    def restore_controlfile(self, source: str) -> None:
        return self.admin.restore_controlfile(source)

    def close(self) -> None:
        return self.admin.close()

    def dismount(self) -> None:
        return self.admin.dismount()

    def delete_archived_logs(self, completed_before: float) -> list[str]:
        return self.admin.delete_archived_logs(completed_before)

    def damage_archived_log(self, seq: int, rl_id: int | None = None) -> str:
        return self.admin.damage_archived_log(seq, rl_id)

    # Invariants (invariants.py)
    def check_invariants(self) -> list[str]:
        return self.invariants.check_invariants()
