"""``ALTER DATABASE RECOVER``: the media-recovery dialogue as OCI exposes it.

Without AUTOMATIC, RECOVER applies nothing: it answers ORA-00279 (change needed) + ORA-00289
(suggested log) + ORA-00280 (its sequence), and the session waits. ``RECOVER CONTINUE
[DEFAULT]`` applies the suggested log, ``RECOVER LOGFILE 'f'`` a named one; each answers the
prompt for the next log, with ORA-00278 for the one no longer needed, or succeeds when the
target is reached. ``RECOVER CANCEL`` ends an UNTIL CANCEL recovery (ORA-01547 when OPEN
RESETLOGS would still fail). With AUTOMATIC, logs are applied until the target; UNTIL CANCEL
applies every log there is and answers, at the first missing one, the prompt followed by
ORA-00308 + ORA-27037, the session still waiting for CANCEL. A log that cannot be opened is
ORA-00308 and leaves the session as it was; CANCEL without a session is ORA-01112.
Sources: Oracle Database Backup and Recovery User's Guide, "Performing User-Managed Database
Flashback and Recovery" ("Applying Logs Manually", "Performing Cancel-Based Incomplete
Recovery"); SQL Language Reference, "ALTER DATABASE" (``recover_clause``); Oracle Database
Error Messages (ORA-00278/00279/00280/00289/00308/01112/01547); protocols.md 3.3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apprm_ref.drivers.oracle import RecoveryTarget
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.messages import line, ora
from apprm_ref.sim.oracle.sqllex import Cursor, sql_error
from apprm_ref.sim.oracle.sqltypes import parse_date

UNTIL_TIME_FORMAT = "YYYY-MM-DD:HH24:MI:SS"


@dataclass
class Dialogue:
    """The media-recovery session of one server session (none when ``target`` is None)."""

    target: RecoveryTarget | None = None
    using: bool = False
    seq: int = 0  # the sequence the session waits for
    steps: int = 0
    pending: OracleError | None = None  # ORA-01547 to report at CANCEL


def parse_recover(db: OracleDatabase, c: Cursor, d: Dialogue) -> Callable[[], Any]:
    if c.kw("CANCEL"):
        c.end()
        return _done(lambda: cancel(db, d))
    if c.kw("CONTINUE"):
        c.kw("DEFAULT")
        c.end()
        return _done(lambda: step(db, d, None))
    if c.kw("LOGFILE"):
        path = c.string("ORA-00905")
        c.end()
        return _done(lambda: step(db, d, path))
    automatic = c.kw("AUTOMATIC")
    c.expect_kw("DATABASE", code="ORA-00905")
    target, using = RecoveryTarget("complete"), False
    while not c.at_end():
        if c.kw("USING", "BACKUP", "CONTROLFILE"):
            using = True
        elif c.kw("UNTIL", "CANCEL"):
            target = RecoveryTarget("cancel")
        elif c.kw("UNTIL", "CHANGE"):
            target = RecoveryTarget("scn", scn=c.number())
        elif c.kw("UNTIL", "TIME"):
            target = RecoveryTarget("time", time=parse_date(c.string(), UNTIL_TIME_FORMAT))
        else:
            raise sql_error("ORA-00933")
    return _done(lambda: start(db, d, target, using, automatic=automatic))


def _done(fn: Callable[[], None]) -> Callable[[], Any]:
    from apprm_ref.sim.oracle.sql import Outcome

    def run() -> Any:
        fn()
        return Outcome()

    return run


def start(
    db: OracleDatabase, d: Dialogue, target: RecoveryTarget, using: bool, *, automatic: bool
) -> None:
    if d.target is not None:
        raise OracleError("an incompatible media recovery is active", code="ORA-01153")
    if automatic:
        _automatic(db, d, target, using)
        return
    cached = db.hdr
    try:  # reading the headers for the prompt leaves the instance as it was
        db.recovery_precheck(target, using)
        first = min(h["ckpt"] for h in db.hdr.values())
    finally:
        db.hdr = cached
    d.target, d.using, d.steps, d.pending = target, using, 0, None
    d.seq = db.recovery.start_seq(first, db.cf["rl_id"])
    raise _prompt(db, d.seq, first + 1, ())


def _automatic(db: OracleDatabase, d: Dialogue, target: RecoveryTarget, using: bool) -> None:
    result, run, problem = db.recover_run(target, using)
    if target.kind != "cancel" or run.stop != "missing":
        if problem is not None:
            raise problem
        return
    missing_seq = (
        run.applied[-1][1] + 1 if run.applied else db.recovery.start_seq(run.start, db.cf["rl_id"])
    )
    d.target, d.using, d.seq, d.steps, d.pending = target, using, missing_seq, 1, problem
    done = (("ORA-00278", (run.applied[-1][2],)),) if run.applied else ()
    lost = (("ORA-00308", (run.missing,)), ("ORA-27037", ()))
    raise _prompt(db, missing_seq, result.end_scn + 1, done + lost)


def step(db: OracleDatabase, d: Dialogue, path: str | None) -> None:
    """Apply the log of the awaited sequence (suggested or named), then prompt again."""
    if d.target is None:
        raise ora("ORA-01112")
    rl_id, seq = db.cf["rl_id"], d.seq
    name = path or db.archive_path(seq, rl_id)
    found = db.locate_log(seq, rl_id) if path is None else None
    log = db.read_log(name) if found is None else (found[1], found[2])
    if found is not None:
        name = found[0]
    if log is None:
        raise ora("ORA-00308", name, stack=(("ORA-27037", ()),))
    if (log[0]["seq"], log[0]["rl_id"]) != (seq, rl_id):
        raise OracleError(
            f"archived log contains sequence {log[0]['seq']}; sequence {seq} required\n"
            + line("ORA-00334", name),
            code="ORA-00310",
            stack=("ORA-00334",),
        )
    if _last_step(db, d):
        target, d.target = d.target, None
        assert target is not None
        db.recover(target, using_backup_controlfile=d.using)
        return
    result, _run, d.pending = db.recover_run(RecoveryTarget("sequence", sequence=seq + 1), d.using)
    d.seq, d.steps = seq + 1, d.steps + 1
    raise _prompt(db, d.seq, result.end_scn + 1, (("ORA-00278", (name,)),))


def _last_step(db: OracleDatabase, d: Dialogue) -> bool:
    """Whether the target is reached inside the awaited log (then RECOVER ends by itself)."""
    t = d.target
    assert t is not None
    rec = _record(db, d.seq)
    if t.kind == "complete":
        return not d.using and db.cf["type"] != "BACKUP" and d.seq >= db.cf["cur_seq"]
    if t.kind == "scn":
        return rec is None or rec["next"] is None or rec["next"] >= (t.scn or 0)
    if t.kind == "time" and t.time is not None:
        stop = db.world.clock.seconds_of(t.time)
        return rec is None or rec["next_time"] is None or rec["next_time"] >= stop
    return False


def _record(db: OracleDatabase, seq: int) -> dict[str, Any] | None:
    """The control file's knowledge of a log of this incarnation: archive record or group."""
    rl_id = db.cf["rl_id"]
    rec = db.arch_index().known.get(rl_id, {}).get(seq)
    if rec is not None:
        return rec  # type: ignore[no-any-return]
    return next(
        (g for g in db.cf["groups"].values() if g["seq"] == seq and g["rl_id"] == rl_id), None
    )


def cancel(db: OracleDatabase, d: Dialogue) -> None:
    """RECOVER CANCEL: ends the session; ORA-01547 when the files are not yet consistent."""
    if d.target is None:
        raise ora("ORA-01112")
    seq, steps, pending = d.seq, d.steps, d.pending
    d.target, d.pending = None, None
    if steps == 0:  # nothing applied: the control file still learns recovery was incomplete
        _r, _run, pending = db.recover_run(RecoveryTarget("sequence", sequence=seq), d.using)
    if pending is not None:
        raise pending


def _prompt(
    db: OracleDatabase, seq: int, change: int, before: tuple[tuple[str, tuple[Any, ...]], ...]
) -> OracleError:
    """ORA-00279 + ORA-00289 + ORA-00280 [+ ORA-00278] [+ ORA-00308 + ORA-27037]."""
    when = _change_time(db, seq).strftime("%m/%d/%Y %H:%M:%S")
    suggestion = db.archive_path(seq, db.cf["rl_id"])
    stack = (("ORA-00289", (suggestion,)), ("ORA-00280", (change, 1, seq)), *before)
    return ora("ORA-00279", change, when, 1, stack=stack)


def _change_time(db: OracleDatabase, seq: int) -> Any:
    rec = _record(db, seq)
    seconds = db.world.now() if rec is None else rec["first_time"]
    return db.world.clock.at(seconds).replace(tzinfo=None)
