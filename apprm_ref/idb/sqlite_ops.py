"""The repository methods a backup session calls, on the SQLite fast path.

Each builds its rows as the ORM path would store them, runs prepared statements in one
``BEGIN IMMEDIATE`` ... ``COMMIT`` and mirrors the result into the store's cache. A write
diffs against what it knows is stored (a session's second save only adds its new
messages; a rotated replica only updates its status), and falls back to replacing every
row when it knows nothing. Reads come from the cache when it is valid.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Sequence
from typing import Any

from apprm_ref.core.records import AppConfig, ReplicaRecord
from apprm_ref.core.session import Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import IdbError, NotFoundError
from apprm_ref.idb import statements as q
from apprm_ref.idb.replica_cache import Entry, copy_model
from apprm_ref.idb.sqlite_rows import (
    dumps,
    entries_of,
    mirror,
    replica_rows,
    session_rows,
    sync_children,
)
from apprm_ref.idb.sqlite_store import MAX_SESSIONS, SqliteStore
from apprm_ref.types import VolumeRef

_PICKLE = pickle.HIGHEST_PROTOCOL
ABSENT = b""  # cached answer "no such row" (the bench's get_config, for one, finds none)
_ORDER = ("spec", "sequence", "id")
_FILTERS = ("spec", "array", "status")


def _insert_or_replace_session(db: sqlite3.Connection, row: tuple[Any, ...]) -> None:
    """A session's first save inserts its row (nothing else of it can be stored: its
    messages and objects reference it); only if the row exists, as when this store's
    cache was dropped since it was saved, is it replaced and its children cut."""
    try:
        db.execute(q.SESSION_INSERT, row)
        return
    except sqlite3.IntegrityError as exc:
        if f"{q.SESSIONS.name}.id" not in str(exc):
            raise
    db.execute(q.SESSION_UPSERT, row)
    db.execute(q.MESSAGE_CUT, (row[0], 0))
    db.execute(q.OBJECT_CUT, (row[0], 0))


class SqliteOps:
    """The fast methods; :class:`apprm_ref.idb.repository.SqlRepository` calls them."""

    def __init__(self, store: SqliteStore) -> None:
        self.st = store

    # --- sessions ----------------------------------------------------------------------

    def last_session_number(self, day: str) -> int:
        (n,) = self.st.read(q.LAST_NUMBER, (day,))[0]
        return int(n or 0)

    def save_session(self, session: Session) -> None:
        row, msgs, objs = session_rows(session)
        sid = session.id
        st = self.st
        db, dv = st.begin()
        try:
            known = st.sessions.get(sid)
            if known is None:  # what is stored is unknown: a new session, or replace it all
                _insert_or_replace_session(db, row)
                old_msgs: Sequence[Any] = ()
                old_objs: Sequence[Any] = ()
            else:
                old, old_msgs, old_objs = known
                changed = [i for i in range(1, len(row)) if row[i] != old[i]]
                if changed:
                    cols = tuple(q.SESSION_COLS[i] for i in changed)
                    db.execute(q.session_update(cols), (*(row[i] for i in changed), sid))
            sync_children(db, "messages", sid, old_msgs, msgs)
            sync_children(db, "objects", sid, old_objs, objs)
        except BaseException as exc:
            raise st.fail(db, exc) from None
        st.commit(db, dv)
        if known is None and len(st.sessions) >= MAX_SESSIONS:
            del st.sessions[next(iter(st.sessions))]
        st.sessions[sid] = (row, msgs, objs)

    # --- specifications and configurations ----------------------------------------------

    def save_spec(self, spec: BackupSpec) -> None:
        body = dumps(spec.model_dump(mode="json"))
        self._write(
            q.SPEC_UPSERT, (spec.name, spec.type, spec.array, spec.application_system, body)
        )
        self.st.specs.pop(spec.name, None)

    def get_spec(self, name: str) -> BackupSpec:
        """The spec as stored; a cached one is handed out as a copy (``copy_model``)."""
        self.st.fresh()
        kept = self.st.specs.get(name)
        if isinstance(kept, BackupSpec):
            return copy_model(kept)
        if kept is None:
            rows = self.st.read(q.SPEC_BODY, (name,))
            spec = BackupSpec.model_validate(json.loads(rows[0][0])) if rows else None
            if type(name) is str:
                self.st.specs[name] = copy_model(spec) if spec is not None else ABSENT
            if spec is not None:
                return spec
        raise NotFoundError(f"spec {name!r} not found")

    def delete_spec(self, name: str) -> None:
        if not self._write(q.SPEC_DELETE, (name,)):
            raise NotFoundError(f"spec {name!r} not found")
        self.st.specs.pop(name, None)

    def save_config(self, config: AppConfig) -> None:
        data = dumps({k: config.data[k] for k in sorted(config.data)})
        self._write(q.CONFIG_UPSERT, (config.kind, config.name, config.host, data))
        self.st.configs.pop((config.kind, config.name), None)

    def get_config(self, kind: str, name: str) -> AppConfig:
        self.st.fresh()
        blob = self.st.configs.get((kind, name))
        if blob is None:
            rows = self.st.read(q.CONFIG_GET, (kind, name))
            cfg = None
            if rows:
                k, n, host, data = rows[0]
                cfg = AppConfig(kind=k, name=n, host=host, data=dict(json.loads(data) or {}))
            blob = pickle.dumps(cfg, protocol=_PICKLE) if cfg is not None else ABSENT
            if type(kind) is str and type(name) is str:
                self.st.configs[(kind, name)] = blob
            if cfg is not None:
                return cfg
        if blob is ABSENT:
            raise NotFoundError(f"{kind} configuration {name!r} not found")
        return pickle.loads(blob)  # type: ignore[no-any-return]

    def delete_config(self, kind: str, name: str) -> None:
        if not self._write(q.CONFIG_DELETE, (kind, name)):
            raise NotFoundError(f"{kind} configuration {name!r} not found")
        self.st.configs.pop((kind, name), None)

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        db, dv = self.st.begin()
        try:
            n = db.execute(sql, params).rowcount
        except BaseException as exc:
            raise self.st.fail(db, exc) from None
        if n:
            self.st.commit(db, dv)
        else:
            self.st.abort(db)
        return n

    # --- replicas ----------------------------------------------------------------------

    def add_replica(self, replica: ReplicaRecord) -> None:
        row, targets = replica_rows(replica)
        st = self.st
        db, dv = st.begin()
        try:
            db.execute(q.RSET_BUMP, (replica.spec, replica.sequence))
            try:
                db.execute(q.REPLICA_INSERT, row)
            except sqlite3.IntegrityError as exc:
                if f"{q.REPLICAS.name}.id" in str(exc):
                    raise IdbError(f"replica {replica.id!r} is already recorded") from None
                raise
            if targets:
                db.executemany(q.TARGET_INSERT, targets)
        except BaseException as exc:
            raise st.fail(db, exc) from None
        st.commit(db, dv)
        cache = st.replicas
        if not mirror(cache, None, row, targets):
            return
        nxt = cache.next_seq.get(row[1])
        if nxt is not None:
            if row[8] >= 0:
                cache.next_seq[row[1]] = max(nxt, row[8] + 1)
            else:
                del cache.next_seq[row[1]]

    def update_replica(self, replica: ReplicaRecord) -> None:
        row, targets = replica_rows(replica)
        rid = replica.id
        st = self.st
        db, dv = st.begin()
        old = st.replicas.rows.get(rid)
        try:
            if old is None:  # what is stored is unknown: every column, every target
                cols: tuple[str, ...] = q.REPLICA_COLS[1:]
                if not db.execute(q.replica_update(cols), (*row[1:], rid)).rowcount:
                    raise NotFoundError(f"replica {rid!r} not found")
                db.execute(q.TARGET_CUT, (rid, 0))
                sync_children(db, "targets", rid, (), targets)
            else:
                changed = [i for i in range(1, len(row)) if row[i] != old.row[i]]
                if changed:
                    cols = tuple(q.REPLICA_COLS[i] for i in changed)
                    db.execute(q.replica_update(cols), (*(row[i] for i in changed), rid))
                sync_children(db, "targets", rid, old.targets, targets)
        except BaseException as exc:
            raise st.fail(db, exc) from None
        st.commit(db, dv)
        cache = st.replicas
        if not mirror(cache, old, row, targets):
            return
        if old is None:
            cache.next_seq.clear()  # the replica's previous spec and sequence are unknown
        elif (old.row[1], old.row[8]) != (row[1], row[8]):
            cache.next_seq.pop(old.row[1], None)
            cache.next_seq.pop(row[1], None)

    def get_replica(self, replica_id: str) -> ReplicaRecord:
        self.st.fresh()
        e = self.st.replicas.rows.get(replica_id)
        if e is not None:
            return e.build()
        found = self._select(("id",), (replica_id,), ("id",), None)
        if not found:
            raise NotFoundError(f"replica {replica_id!r} not found")
        return found[0].build()

    def list_replicas(
        self, spec: str | None, array: str | None, status: str | None
    ) -> list[ReplicaRecord]:
        key = (spec, array, status)
        self.st.fresh()
        cacheable = all([v is None or type(v) is str for v in key])  # one call, not four
        if cacheable:
            got = self.st.replicas.records(key)
            if got is not None:
                return got
        where = tuple(c for c, v in zip(_FILTERS, key, strict=True) if v is not None)
        params = tuple(v for v in key if v is not None)
        entries = self._select(where, params, _ORDER, key if cacheable else None)
        return [e.build() for e in entries]

    def replicas_holding(
        self, source: VolumeRef, mu: int | None, status: str
    ) -> list[ReplicaRecord]:
        """Filtered on the cached entries of the array's list: only matches are built."""
        key = (None, source.array, status)
        if type(source.array) is not str or type(status) is not str:
            rows = self.list_replicas(None, source.array, status)
            return [r for r in rows if r.mu == mu and source in r.sources]
        self.st.fresh()
        entries = self.st.replicas.entries(key)
        if entries is None:
            entries = self._select(("array", "status"), (source.array, status), _ORDER, key)
        return [
            e.build() for e in entries if e.row[9] == mu and any(ref[0] == source for ref in e.refs)
        ]

    def replicas_with_details(self, spec: str, keys: tuple[str, ...]) -> list[ReplicaRecord]:
        """From the cache (kept in step by every mirrored write), else one prefiltered
        query whose rows are checked against their parsed details; only matches are built."""
        self.st.fresh()
        cache = self.st.replicas
        cacheable = type(spec) is str and all([type(k) is str for k in keys])
        got = cache.noted_entries(spec, keys) if cacheable else None
        if got is None:
            rows_sql, targets_sql = q.replica_select_noted(len(keys))
            params = (spec, *(json.dumps(k) for k in keys))
            rows, trows = self.st.read_many((rows_sql, params), (targets_sql, params))
            got = [e for e in entries_of(rows, trows) if not e.dkeys.isdisjoint(keys)]
            if cacheable:
                cache.remember_noted(spec, keys, got)
        return [e.build() for e in got]

    def replicas_of_session(self, session_id: str) -> list[ReplicaRecord]:
        self.st.fresh()
        return [e.build() for e in self._select(("session_id",), (session_id,), ("id",), None)]

    def next_replica_sequence(self, spec: str) -> int:
        self.st.fresh()
        cache = self.st.replicas.next_seq
        nxt = cache.get(spec)
        if nxt is None:
            last, high = self.st.read(q.NEXT_SEQUENCE, (spec,))[0]
            nxt = max(last or 0, int(high or 0)) + 1
            if type(spec) is str:
                cache[spec] = nxt
        return nxt

    def _select(
        self,
        where: tuple[str, ...],
        params: tuple[Any, ...],
        order: tuple[str, ...],
        key: Any,
    ) -> list[Entry]:
        rows_sql, targets_sql = q.replica_select(where, order)
        rows, trows = self.st.read_many((rows_sql, params), (targets_sql, params))
        entries = entries_of(rows, trows)
        self.st.replicas.remember(key, entries)
        return entries
