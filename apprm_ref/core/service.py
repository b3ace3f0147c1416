"""The orchestrator's front door: create specs, run backups and instant recoveries.

Sessions are SimPy processes so that scheduled and concurrent sessions interleave in
simulated time; sessions on the same application system queue (VC-I19).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from typing import Any, cast

import simpy

from apprm_ref.core import backup, planner, recovery
from apprm_ref.core.context import DriverSet, SessionContext
from apprm_ref.core.integrations.base import (
    RecoveryOptions,
    integration_for,
    recovery_options_for,
)
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication.base import (
    RestoreOptions,
    check_capabilities,
    method_for,
    restore_options_for,
)
from apprm_ref.core.repository import Repository
from apprm_ref.core.session import ObjectResult, Session, SessionIdAllocator
from apprm_ref.core.specs import BackupSpec, parse_spec
from apprm_ref.errors import ApprmError, ConfigError, NotFoundError, RecoveryError
from apprm_ref.types import SessionStatus, SessionType, Severity

SessionObserver = Callable[[Session, simpy.Process], None]


class Orchestrator:
    def __init__(
        self, drivers: DriverSet, repo: Repository, env: simpy.Environment, *, epoch: Any = None
    ) -> None:
        from apprm_ref.clock import DEFAULT_EPOCH

        self.drivers = drivers
        self.repo = repo
        self.env = env
        self.epoch = epoch or DEFAULT_EPOCH
        self.ids = SessionIdAllocator(repo.last_session_number)
        self._locks: dict[str, simpy.Resource] = {}
        self.running: dict[str, Session] = {}
        self._observers: list[SessionObserver] = []

    def observe_sessions(self, observer: SessionObserver) -> None:
        """Call ``observer(session, process)`` for every session started from now on, right
        after its process is created and before it runs (drills trace starts and ends this
        way; the process's value is the finished Session)."""
        self._observers.append(observer)

    # --- specifications -------------------------------------------------------------

    def validate_spec(self, spec: BackupSpec | dict[str, Any]) -> BackupSpec:
        if isinstance(spec, dict):
            spec = parse_spec(spec)
        self._check_systems(spec)
        self._check_objects(spec)
        array = self.drivers.array(spec.array)
        _mount, rest = planner.split_mount_options(spec.replication)
        check_capabilities(array, method_for(array).parse_options(rest, spec_name=spec.name))
        integration_for(spec.type).parse_options(spec.application, spec_name=spec.name)
        if spec.to != "disk":
            raise ConfigError(
                "only ZDB to disk is supported (no tape devices are simulated)", field="to"
            )
        return spec

    def _check_systems(self, spec: BackupSpec) -> None:
        """The application and backup systems must be clients of this cell."""
        for fld, host in (
            ("application_system", spec.application_system),
            ("backup_system", spec.backup_system),
        ):
            if host is None:
                continue
            try:
                self.drivers.host.mounts(host)
            except NotFoundError:
                raise ConfigError(f"no host named {host!r} in this estate", field=fld) from None

    def _check_objects(self, spec: BackupSpec) -> None:
        """Each object must exist: a mounted filesystem for kinds whose objects are mount
        points; otherwise what the kind's integration says (``check_objects``, optional)."""
        from apprm_ref.drivers import registry

        if registry.application(spec.type).mount_objects:
            host = spec.application_system
            points = [m.mount_point for m in self.drivers.host.mounts(host)]
            for i, obj in enumerate(spec.objects):
                if not any(_within(obj, point) for point in points):
                    raise ConfigError(
                        f"{obj} is not in a filesystem mounted on {host}", field=f"objects.{i}"
                    )
        check = getattr(integration_for(spec.type), "check_objects", None)
        if check is not None:
            check(spec, self.drivers)

    def create_spec(
        self, spec: BackupSpec | dict[str, Any], *, replace: bool = False
    ) -> BackupSpec:
        spec = self.validate_spec(spec)
        if not replace:
            try:
                self.repo.get_spec(spec.name)
            except NotFoundError:
                pass
            else:
                raise ConfigError(f"specification {spec.name!r} already exists", field="name")
        self.repo.save_spec(spec)
        return spec

    # --- sessions ---------------------------------------------------------------------

    def _new_session(self, kind: SessionType, spec_name: str) -> Session:
        from datetime import timedelta

        when = self.epoch + timedelta(seconds=float(self.env.now))
        return Session(self.ids.next(when), kind, spec_name, float(self.env.now))

    def _launch(self, session: Session, flow: Generator[Any, Any, Session]) -> simpy.Process:
        proc = self.env.process(flow)
        for observer in self._observers:
            observer(session, proc)
        return proc

    def _lock(self, key: str) -> simpy.Resource:
        if key not in self._locks:
            self._locks[key] = simpy.Resource(self.env, capacity=1)
        return self._locks[key]

    def start_backup(self, spec_name: str) -> simpy.Process:
        """Start a ZDB session; the process's value is the finished Session."""
        spec = self.repo.get_spec(spec_name)
        session = self._new_session(SessionType.BACKUP, spec.name)
        return self._launch(session, self._backup(spec, session))

    def _backup(self, spec: BackupSpec, session: Session) -> Generator[simpy.Event, Any, Session]:
        ctx = SessionContext(self.env, self.drivers, self.repo, session, spec)
        return self._guarded(ctx, "BSM", self._backup_flow(ctx, spec, session))

    def _backup_flow(
        self, ctx: SessionContext, spec: BackupSpec, session: Session
    ) -> Generator[simpy.Event, Any, None]:
        array = self.drivers.array(spec.array)
        method = method_for(array)
        integration = integration_for(spec.type)
        mount, rest = planner.split_mount_options(spec.replication)
        ctx.options = method.parse_options(rest, spec_name=spec.name)
        ctx.app_options = integration.parse_options(spec.application, spec_name=spec.name)
        # one session per unit the integration names (Exchange: per storage group, VC-I19)
        units = getattr(integration, "session_units", None)
        keys = units(spec) if units else [f"{spec.type}:{','.join(spec.objects)}"]
        with contextlib.ExitStack() as held:
            for key in sorted(f"{spec.application_system}:{k}" for k in keys):
                req = held.enter_context(self._lock(key).request())
                if not req.triggered and session.status != SessionStatus.QUEUING:
                    session.set_running(SessionStatus.QUEUING)
                    self.repo.save_session(session)
                yield req
            if session.status == SessionStatus.QUEUING:
                session.set_running(SessionStatus.IN_PROGRESS)
            ctx.info("BSM", f"Backup session {session.id} started for specification {spec.name}")
            yield from backup.run_session(ctx, integration, method, mount)

    def _guarded(
        self, ctx: SessionContext, origin: str, flow: Generator[simpy.Event, Any, Any]
    ) -> Generator[simpy.Event, Any, Session]:
        """Run a session's flow and end the session whatever the flow raises: Failed with
        its error named, its undo unwound, never left open (OPS-I2)."""
        session = ctx.session
        self.running[session.id] = session
        try:
            yield from flow
        except Exception as exc:  # noqa: BLE001 - any error ends the session, never a zombie
            ctx.report_failure(origin, exc)
            ctx.unwind(origin)
            for obj in session.objects:
                if obj.status == ObjectResult.PENDING:
                    obj.status, obj.detail = ObjectResult.FAILED, str(exc)
        if ctx.aborted:
            for obj in session.objects:
                if obj.status != ObjectResult.COMPLETED:
                    obj.status, obj.detail = ObjectResult.ABORTED, "aborted"
        return self._close(session, aborted=ctx.aborted)

    def _close(self, session: Session, *, aborted: bool = False) -> Session:
        session.finish(float(self.env.now), aborted=aborted)
        self.repo.save_session(session)
        self.running.pop(session.id, None)
        return session

    def run_backup(self, spec_name: str) -> Session:
        """Run one session to its end (advances simulated time as it needs)."""
        proc = self.start_backup(spec_name)
        self.env.run(until=proc)
        return cast(Session, proc.value)

    def find_replica(self, ref: str) -> ReplicaRecord:
        """A replica by its ID or by the ID of the backup session that made it."""
        if "#" in ref:
            return self.repo.get_replica(ref)
        # one indexed query, not a scan of every replica ever recorded (O(n) per restore)
        found = self.repo.replicas_of_session(ref)
        if found:
            return found[0]
        raise NotFoundError(f"no replica recorded for session {ref}")

    def start_restore(
        self,
        ref: str,
        array_opts: RestoreOptions | None = None,
        app_opts: RecoveryOptions | None = None,
    ) -> simpy.Process:
        replica = self.find_replica(ref)
        spec = self.repo.get_spec(replica.spec)
        # each half in its kind's model; an option the kind lacks is refused here, unchanged
        arr = restore_options_for(self.drivers.array(replica.array), array_opts or RestoreOptions())
        app = recovery_options_for(spec.type, app_opts or RecoveryOptions())
        session = self._new_session(SessionType.RESTORE, spec.name)
        return self._launch(session, self._restore(spec, replica, session, arr, app))

    def _restore(
        self,
        spec: BackupSpec,
        replica: ReplicaRecord,
        session: Session,
        array_opts: RestoreOptions,
        app_opts: RecoveryOptions,
    ) -> Generator[simpy.Event, Any, Session]:
        ctx = SessionContext(self.env, self.drivers, self.repo, session, spec)
        flow = self._restore_flow(ctx, spec, replica, array_opts, app_opts)
        return self._guarded(ctx, "RSM", flow)

    def _restore_flow(
        self,
        ctx: SessionContext,
        spec: BackupSpec,
        replica: ReplicaRecord,
        array_opts: RestoreOptions,
        app_opts: RecoveryOptions,
    ) -> Generator[simpy.Event, Any, None]:
        method = method_for(self.drivers.array(replica.array))
        integration = integration_for(spec.type)
        ctx.options = method.parse_options(
            planner.split_mount_options(spec.replication)[1], spec_name=spec.name
        )
        ctx.app_options = integration.parse_options(spec.application, spec_name=spec.name)
        lock = self._lock(f"{spec.application_system}:{spec.type}:{','.join(spec.objects)}")
        with lock.request() as req:
            yield req
            ctx.info("RSM", f"Restore session {ctx.session.id}: instant recovery of {replica.id}")
            yield from recovery.run_restore(ctx, replica, integration, method, array_opts, app_opts)

    def restore(
        self,
        ref: str,
        array_opts: RestoreOptions | None = None,
        app_opts: RecoveryOptions | None = None,
    ) -> Session:
        proc = self.start_restore(ref, array_opts, app_opts)
        self.env.run(until=proc)
        return cast(Session, proc.value)

    # --- ZDB database maintenance -----------------------------------------------------

    def delete_replica(self, replica_id: str, *, force: bool = False) -> ReplicaRecord:
        replica = self.repo.get_replica(replica_id)
        if replica.status in (ReplicaStatus.DELETED, ReplicaStatus.CONSUMED):
            raise RecoveryError(f"replica {replica_id} is already {replica.status}", code="GONE")
        proc = self.env.process(self._delete(replica, force))
        self.env.run(until=proc)
        return cast(ReplicaRecord, proc.value)

    def _delete(
        self, replica: ReplicaRecord, force: bool
    ) -> Generator[simpy.Event, Any, ReplicaRecord]:
        spec = self.repo.get_spec(replica.spec)
        method = method_for(self.drivers.array(replica.array))
        session = Session("maintenance", SessionType.BACKUP, spec.name, float(self.env.now))
        ctx = SessionContext(self.env, self.drivers, self.repo, session, spec)
        ctx.options = method.parse_options(
            planner.split_mount_options(spec.replication)[1], spec_name=spec.name
        )
        yield from method.delete(ctx, replica, force=force)
        replica.status = ReplicaStatus.DELETED
        # a maintenance session is not kept: what it found wrong stays with the record
        problems = [
            f"[{m.severity.name}] {m.text}"
            for m in session.messages
            if m.severity >= Severity.MAJOR
        ]
        if problems:
            replica.details["delete_problems"] = problems
        self.repo.update_replica(replica)
        return replica

    def purge(self) -> list[ReplicaRecord]:
        """Retry deleting every replica on the purge list; return those removed."""
        removed = []
        for rep in self.repo.list_replicas(status=ReplicaStatus.PURGE):
            try:
                removed.append(self.delete_replica(rep.id))
            except ApprmError:  # the array still refuses: it stays on the purge list
                continue
        return removed


def _within(path: str, mount_point: str) -> bool:
    """``path`` lies on ``mount_point`` (Windows drive letters and mount folders compare
    without case, as NTFS names do)."""
    if "\\" in mount_point or mount_point[1:2] == ":":
        path, mount_point = path.lower().rstrip("\\") + "\\", mount_point.lower()
        return path.startswith(mount_point if mount_point.endswith("\\") else mount_point + "\\")
    if mount_point == "/":
        return path.startswith("/")
    return path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
