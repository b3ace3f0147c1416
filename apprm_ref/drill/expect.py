"""Expectations judged at the end of a drill, each with the value it observed.

Every expectation gives one :class:`ExpectationResult` (one JUnit testcase). One is always
added first: every timeline step ran without an error (a restore that could not even
start fails the drill). ``check`` steps add theirs as they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.drill import datastate, schema
from apprm_ref.drill.refs import parse_session_ref
from apprm_ref.drill.result import ExpectationResult, SessionRow
from apprm_ref.drill.timeparse import parse_duration, short_duration
from apprm_ref.drivers import registry
from apprm_ref.drivers.kinds import resolve
from apprm_ref.errors import ConfigError

if TYPE_CHECKING:
    from apprm_ref.drill.runner import Drill


def _secs(v: float | None) -> str:
    return "-" if v is None else short_duration(v)


def evaluate(drill: Drill) -> None:
    res = drill.result
    errors = [m for _, m in res.errors]
    res.expectations.append(
        ExpectationResult(
            "every timeline step ran",
            "steps",
            not errors,
            "no step error",
            "; ".join(errors) or "none",
        )
    )
    for i, item in enumerate(drill.scenario.expect):
        fn = globals()[f"_{item.kind}"]
        out: ExpectationResult = fn(drill, getattr(item, item.kind))
        if item.name:
            out.name = item.name
        out.line = drill.scenario.line("expect", i)
        res.expectations.append(out)


def data_result(drill: Drill, label: str, app: str | None, name: str) -> ExpectationResult:
    _at, marked = drill.marks[label]
    specs = drill.scenario.specs
    expected = datastate.select(marked, app, specs)
    actual = datastate.select(datastate.capture(drill.world, specs), app, specs)
    diff = datastate.differences(expected, actual)
    observed = "equal" if not diff else "differs: " + "; ".join(diff)
    if not expected:
        observed = "nothing to compare: no protected data" + (f" for {app}" if app else "")
    return ExpectationResult(
        name, "data", not diff and bool(expected), f"equal to mark {label}", observed
    )


def _data(drill: Drill, d: schema.DataExpect) -> ExpectationResult:
    return data_result(
        drill, d.equals, d.app, f"data equals {d.equals}" + (f" ({d.app})" if d.app else "")
    )


def _sessions(drill: Drill, e: schema.SessionsExpect) -> ExpectationResult:
    kind = "Backup" if e.type == "backup" else "Restore"
    rows = [s for s in drill.result.sessions if s.spec == e.spec and s.type == kind]
    chosen = rows if e.which == "all" else rows[-1:] if e.which == "last" else rows[:1]
    wanted = e.statuses()
    statuses = [s.status for s in chosen]
    ok = bool(chosen) and (wanted is None or all(s in wanted for s in statuses))
    expected = f"{e.which} {e.type} sessions {' or '.join(wanted or ['of any status'])}"
    if e.count is not None:
        ok = ok and len(rows) == e.count
        expected += f", {e.count} sessions"
    if e.message is not None:
        missing = [s.id for s in chosen if not _logged(s, e.message)]
        ok = ok and not missing
        expected += f", each logging {e.message!r}"
        if missing:
            return ExpectationResult(
                f"{e.type} sessions of {e.spec}", "sessions", False, expected,
                f"no message {e.message!r} in {', '.join(missing)}",
            )  # fmt: skip
    if len(chosen) > 1:
        counts = {st: statuses.count(st) for st in sorted(set(statuses))}
        observed = f"{len(rows)} sessions, {e.which}: " + ", ".join(
            f"{n} {st}" for st, n in counts.items()
        )
    else:
        observed = f"{len(rows)} sessions: " + (
            ", ".join(f"{s.id} {s.status}" for s in chosen) or "none"
        )
    return ExpectationResult(f"{e.type} sessions of {e.spec}", "sessions", ok, expected, observed)


def _logged(session: SessionRow, wanted: str) -> bool:
    """A message whose code is ``wanted``, or whose text contains it (codes such as
    ORA-01195 also appear inside the text of the message that relays them)."""
    return any(code == wanted or wanted in text for code, text in session.texts)


def _purge_list(drill: Drill, e: schema.PurgeListExpect) -> ExpectationResult:
    waiting = [r for r in drill.repo.list_replicas(spec=e.spec) if r.status == "purge"]
    ok, parts = True, []
    if e.count is not None:
        ok = len(waiting) == e.count
        parts.append(f"{e.count} replicas")
    if e.sessions is not None:
        want = sorted(_resolve_all(drill, e.spec, e.sessions))
        ok = ok and sorted(r.session_id for r in waiting) == want
        parts.append(f"from sessions {', '.join(want) or 'none'}")
    observed = f"{len(waiting)}: " + (", ".join(r.id for r in waiting) or "none")
    return ExpectationResult(
        f"purge list of {e.spec}", "purge_list", ok, "; ".join(parts) or "any", observed
    )


def _replicas(drill: Drill, e: schema.ReplicasExpect) -> ExpectationResult:
    live = [r for r in drill.result.replicas if r.spec == e.spec and r.status == "active"]
    ok, parts = True, []
    if e.count is not None:
        ok = ok and len(live) == e.count
        parts.append(f"{e.count} replicas")
    if e.sessions is not None:
        want = sorted(_resolve_all(drill, e.spec, e.sessions))
        ok = ok and sorted(r.session for r in live) == want
        parts.append(f"from sessions {', '.join(want) or 'none'}")
    if e.types is not None:
        ok = ok and all(r.type in e.types for r in live)
        parts.append(f"of types {', '.join(e.types)}")
    ids = [r.id for r in live]
    shown = ", ".join(ids) if len(ids) <= 3 else f"{ids[0]} ... {ids[-1]}"
    kinds = ", ".join(sorted({r.type for r in live}))
    observed = f"{len(live)}: {shown} ({kinds})" if live else "0: none"
    return ExpectationResult(
        f"replica set of {e.spec}", "replicas", ok, "; ".join(parts) or "any", observed
    )


def _resolve_all(drill: Drill, spec: str, refs: list[str]) -> list[str]:
    backups = [s for s in drill.result.sessions if s.spec == spec and s.type == "Backup"]
    every, with_replica = [s.id for s in backups], [s.id for s in backups if s.replica]
    out = []
    for text in refs:
        ref = parse_session_ref(text)
        out.append(ref.pick(every, with_replica) or f"<no {text}>")
    return out


def _bound(drill: Drill, e: schema.BoundExpect, kind: str) -> ExpectationResult:
    limit = parse_duration(e.max)
    rows = [r for r in drill.result.restores if e.spec is None or r.spec == e.spec]
    values = [getattr(r, kind) for r in rows]
    measured = [v for v in values if v is not None]
    ok = bool(rows) and len(measured) == len(values) and max(measured) <= limit
    observed = ", ".join(f"{r.session} {_secs(getattr(r, kind))}" for r in rows) or "no restore ran"
    name = f"{kind.upper()} <= {e.max}" + (f" ({e.spec})" if e.spec else "")
    return ExpectationResult(name, kind, ok, f"<= {_secs(limit)}", observed)


def _rpo(drill: Drill, e: schema.BoundExpect) -> ExpectationResult:
    return _bound(drill, e, "rpo")


def _rto(drill: Drill, e: schema.BoundExpect) -> ExpectationResult:
    return _bound(drill, e, "rto")


def _no_orphan_replicas(drill: Drill, _v: Any) -> ExpectationResult:
    from apprm_ref.idb.reconcile import reconcile

    findings = reconcile(drill.repo.list_replicas(), drill.drivers.arrays)
    observed = "; ".join(str(f) for f in findings) or "none"
    return ExpectationResult(
        "no orphan replica", "no_orphan_replicas", not findings, "no finding", observed
    )


def _nothing_in_backup_mode(drill: Drill, _v: Any) -> ExpectationResult:
    stuck = []
    for host in sorted(drill.world.hosts.hosts.values(), key=lambda h: h.name):
        stuck += [f"{host.name}:{mp} frozen" for mp, m in sorted(host.mounts.items()) if m.frozen]
    for name in sorted(drill.world.apps):
        app = drill.world.apps[name]
        probe = registry.application(app.kind).backup_mode
        if probe is None:  # registration refuses this; never pass for want of a probe
            raise ConfigError(f"application kind {app.kind} has no backup-mode probe")
        if resolve(probe)(app):
            stuck.append(f"{name} in backup mode")
    return ExpectationResult(
        "nothing left in backup mode",
        "nothing_in_backup_mode",
        not stuck,
        "none",
        ", ".join(stuck) or "none",
    )


def _invariants(drill: Drill, _v: Any) -> ExpectationResult:
    v = drill.result.invariant_violations
    observed = (
        f"{len(v)} violations: " + "; ".join(f"{t:g}s {p}" for t, p in v[:3])
        if v
        else "held after every step"
    )
    return ExpectationResult(
        "invariants held throughout", "invariants", not v, "held after every step", observed
    )
