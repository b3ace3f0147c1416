"""HORCM instance lifecycle: ``horcmstart.sh``, ``horcmshutdown.sh``, ``horcmgr -check``.

A command addressed to an instance that is not running fails with ``EX_COMERR`` ("Can't be
communicated with HORC manager"); when the partner instance of a group is down the local
one answers ``EX_ENORMT``. Messages and exit codes: ``horcmstart.sh N`` prints ``starting
HORCM inst N`` / ``HORCM inst N starts successfully.`` (BC-exec.sh workflow logs,
gdha's BC-exec documentation), an already running instance ``HORCM inst N has already been
running.`` and exit 1, a failure ``HORCM has failed to start.``; ``horcmshutdown.sh N``
prints ``inst N:`` / ``HORCM Shutdown inst N !!!`` (sodafoundation/delfin Hitachi HUS
constants); ``horcmgr -check`` exits 1 when the instance runs (OpenStack Cinder
``vsp_horcm._run_horcmgr``: ``_HORCM_RUNNING = 1``). The exit code of a failed start (2)
and the wording for stopping a stopped instance are inferred.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe

if TYPE_CHECKING:
    from apprm_ref.sim.xp.cci.commands import Cci

START_FAILED = 2  # inferred
RUN_FILE = "horcm.run"  # lab file: the running instances, one number per line


def _instances(cci: Cci, words: list[str]) -> list[int]:
    if not words:
        return [int(cci.env.get("HORCMINST", "0") or 0)]
    out = []
    for w in words:
        if not w.isdigit() or int(w) > 2047:
            xe.refuse("EX_INVARG", f"bad HORCM instance number {w!r} (0..2047)")
        out.append(int(w))
    return out


def horcmstart(cci: Cci, words: list[str]) -> tuple[int, str]:
    rc, out = 0, []
    for n in _instances(cci, words):
        if cci.is_running(n):
            out.append(f"HORCM inst {n} has already been running.")
            rc = max(rc, 1)
        elif n not in cci.confs:
            out += [f"starting HORCM inst {n}", "HORCM has failed to start."]
            rc = START_FAILED
        else:
            cci.set_running(n, True)
            out += [f"starting HORCM inst {n}", f"HORCM inst {n} starts successfully."]
    return rc, "\n".join(out) + "\n"


def horcmshutdown(cci: Cci, words: list[str]) -> tuple[int, str]:
    rc, out = 0, []
    for n in _instances(cci, words):
        out.append(f"inst {n}:")
        if cci.is_running(n):
            cci.set_running(n, False)
            out.append(f"HORCM Shutdown inst {n} !!!")
        else:
            out.append(f"HORCM inst {n} has not been started.")
            rc = 1
    return rc, "\n".join(out) + "\n"


def horcmgr_check(cci: Cci, inst: int) -> tuple[int, str]:
    return (1 if cci.is_running(inst) else 0), ""


def read_running(text: str | None) -> set[int] | None:
    """Running instances saved in the lab (None: no file, every configured one runs)."""
    if text is None:
        return None
    return {int(t) for t in text.split() if t.isdigit()}


def format_running(running: set[int]) -> str:
    return "".join(f"{n}\n" for n in sorted(running))
