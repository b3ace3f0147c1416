"""``apprm restore --spec S --latest | --until-time T | --until-scn N [--preview]`` (OPS-I9).

The replica is chosen (or, with ``--preview``, only judged) by
:mod:`apprm_ref.core.requests` (shared with the REST API); a preview opens the lab read-only and prints the
verdict with its reasons: exit 0 when the restore would reach the target, 1 when not.
"""

from __future__ import annotations

import typer

from apprm_ref.cli.app import emit_json
from apprm_ref.cli.labdir import Lab
from apprm_ref.core.recoverability import Target, Verdict
from apprm_ref.core.requests import reasons_of, verdict_dict


def describe(lab: Lab, target: Target) -> str:
    return target.describe(lab.stamp)


def show(lab: Lab, found: Verdict, *, as_json: bool) -> None:
    """Print the verdict; exit 0 restorable, 1 not."""
    if as_json:
        emit_json(verdict_dict(lab.orchestrator, found))
    else:
        what = describe(lab, found.target)
        if found.restorable:
            typer.echo(f"Restorable: replica {found.replica_id} can be recovered {what}.")
        else:
            typer.echo(f"Not restorable {what}.")
        for v in reasons_of(found):
            for r in v.reasons:
                typer.echo(f"  {v.replica_id}: {r.message} [{r.code}]")
    raise typer.Exit(0 if found.restorable else 1)
