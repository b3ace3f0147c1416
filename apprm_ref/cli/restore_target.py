"""``apprm restore --spec S --latest | --until-time T | --until-scn N [--preview]`` (OPS-I9).

The replica is chosen (or, with ``--preview``, only judged) by
:mod:`apprm_ref.core.recoverability`; a preview opens the lab read-only and prints the
verdict with its reasons: exit 0 when the restore would reach the target, 1 when not.
"""

from __future__ import annotations

from typing import Any

import typer

from apprm_ref.cli.app import emit_json
from apprm_ref.cli.labdir import Lab
from apprm_ref.core.recoverability import Target, Verdict, assess, choose
from apprm_ref.errors import RecoveryError


def target_of(scn: int | None, seconds: float | None) -> Target:
    if scn is not None:
        return Target("scn", scn=scn)
    if seconds is not None:
        return Target("time", time=seconds)
    return Target()


def verdict(lab: Lab, *, session: str | None, spec: str | None, target: Target) -> Verdict:
    """The verdict on one replica (``--session``) or the spec's best (``--spec``); reads only."""
    orch, now = lab.orchestrator, lab.world.now()
    if spec is not None:
        return choose(orch.drivers, orch.repo, orch.repo.get_spec(spec), target, now=now)
    replica = orch.find_replica(session or "")
    return assess(orch.drivers, orch.repo.get_spec(replica.spec), replica, target, now=now)


def chosen(lab: Lab, spec: str, target: Target) -> str:
    """The replica a restore by target uses; refused (nothing changed) when none reaches it."""
    found = verdict(lab, session=None, spec=spec, target=target)
    if not found.restorable:
        raise RecoveryError(
            f"no replica of {spec} can be recovered {describe(lab, target)}: "
            + "; ".join(f"{v.replica_id}: {v.reasons[0].message}" for v in _all(found)),
            code=found.reasons[0].code,
        )
    return str(found.replica_id)


def _all(found: Verdict) -> list[Verdict]:
    return [v for v in (found, *found.skipped) if v.reasons]


def describe(lab: Lab, target: Target) -> str:
    return target.describe(lab.stamp)


def show(lab: Lab, found: Verdict, *, as_json: bool) -> None:
    """Print the verdict; exit 0 restorable, 1 not."""
    if as_json:
        doc: dict[str, Any] = found.to_dict()
        if found.target.time is not None:
            doc["target"]["time_at"] = lab.when(found.target.time).isoformat()
        emit_json(doc)
    else:
        what = describe(lab, found.target)
        if found.restorable:
            typer.echo(f"Restorable: replica {found.replica_id} can be recovered {what}.")
        else:
            typer.echo(f"Not restorable {what}.")
        for v in _all(found):
            for r in v.reasons:
                typer.echo(f"  {v.replica_id}: {r.message} [{r.code}]")
    raise typer.Exit(0 if found.restorable else 1)
