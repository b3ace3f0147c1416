"""The kill test (REL-I2): ``apprm backup`` and ``apprm restore`` SIGKILLed at many points.

Deterministic points come from the test-only hook ``APPRM_CRASH_AT=<kind>:<n>``
(:mod:`apprm_ref.crashpoint`: the n-th IDB commit, world write, array command or lab
file write), the others from random delays. After every trial the next command must
reconcile: no session left running (a killed one is Aborted, with a message), ``replicas
check`` clean, no target held by two replicas, and every live replica restores exactly the
content its backup saw. A summary of the trials and their outcomes is printed.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from typing import Any

import pytest

from apprm_ref.lab.journal import JOURNAL

from .integrity import (
    EVA_FILE,
    EVA_SPEC,
    XP_FILE,
    XP_SPEC,
    check_lab,
    digest,
    new_content,
    ok,
    sessions,
    start,
)

FILES = {"fs_eva": EVA_FILE, "fs_xp": XP_FILE}
RESTORE = {"fs_eva": ("--method", "copy-back"), "fs_xp": ("--method", "normal")}
# (command, spec, APPRM_CRASH_AT or None for a random delay)
TRIALS: list[tuple[str, str, str | None]] = [
    ("backup", "fs_xp", "file:2"),
    ("backup", "fs_eva", "idb:1"),
    ("backup", "fs_eva", "array:3"),
    ("backup", "fs_eva", "world:1"),
    ("backup", "fs_eva", "idb:4"),
    ("backup", "fs_xp", "idb:2"),
    ("backup", "fs_xp", "array:2"),
    ("backup", "fs_xp", "world:1"),
    ("restore", "fs_eva", "array:1"),
    ("restore", "fs_xp", "idb:2"),
    ("restore", "fs_eva", "world:1"),
    ("restore", "fs_xp", "array:1"),
    ("backup", "fs_eva", None),
    ("backup", "fs_xp", None),
    ("restore", "fs_eva", None),
    ("restore", "fs_xp", None),
]


def _run(home: Any, args: list[str], plan: str | None, rng: random.Random) -> bool:
    """Run ``apprm args``; True if it was killed (by its kill point or after a delay)."""
    extra = {"APPRM_CRASH_AT": plan} if plan else {}
    proc = start(home, *args, **extra)
    try:
        if plan is None:  # a random instant once its session has started (journaled)
            _wait_for_session(home, proc)
            time.sleep(rng.uniform(0.0, 0.3))
        proc.wait(timeout=0.001 if plan is None else 60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc.communicate()
    return proc.returncode == -signal.SIGKILL


def _wait_for_session(home: Any, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    path = home / JOURNAL
    while proc.poll() is None and '"sessions": []' in (
        path.read_text() if path.exists() else '"sessions": []'
    ):
        assert time.monotonic() < deadline, "the command never started its session"
        time.sleep(0.002)


def _verify(cli: Any, expected: dict[str, str], spec: str) -> None:
    """Every live replica of ``spec`` restores exactly the content of its own instant."""
    live = [r for r in check_lab(cli) if r["spec"] == spec]
    for rep in live:
        sid = rep["session_id"]
        assert sid in expected, f"replica {rep['id']} of an unknown session {sid}"
        ok(cli("restore", "--session", sid, *RESTORE[spec], "--keep-replica"))
        assert digest(cli, FILES[spec]) == expected[sid], f"{rep['id']} restored another instant"
        ok(cli("lab", "advance", "2h"))


def _backup(cli: Any, home: Any, spec: str, plan: str | None, rng: random.Random) -> str:
    content = new_content(cli, FILES[spec])
    before = {s["id"] for s in sessions(cli)}
    killed = _run(home, ["backup", spec, "--json"], plan, rng)
    fresh = [s for s in sessions(cli) if s["id"] not in before]  # this call reconciles
    for s in fresh:
        if s["status"] == "Completed":
            _expected[s["id"]] = content
        if s["status"] == "Aborted":
            assert killed
            shown = ok(cli("sessions", "show", s["id"])).stdout
            assert "died" in shown and "rolled back" in shown, shown
    return _outcome(killed, fresh)


def _restore(cli: Any, home: Any, spec: str, plan: str | None, rng: random.Random) -> str:
    live = [r for r in check_lab(cli) if r["spec"] == spec]
    if not live:
        return "skipped (no replica)"
    sid = rng.choice(live)["session_id"]
    corrupted = new_content(cli, FILES[spec])
    before = {s["id"] for s in sessions(cli)}
    args = ["restore", "--session", sid, *RESTORE[spec], "--keep-replica"]
    killed = _run(home, args, plan, rng)
    fresh = [s for s in sessions(cli) if s["id"] not in before]
    now = digest(cli, FILES[spec])
    assert now in (corrupted, _expected[sid]), "a killed restore left other data"
    if not killed:
        assert now == _expected[sid]
    return _outcome(killed, fresh)


def _outcome(killed: bool, fresh: list[dict[str, Any]]) -> str:
    status = ",".join(s["status"] for s in fresh) or "no session"
    return f"{'killed' if killed else 'finished'}: {status}"


_expected: dict[str, str] = {}


@pytest.mark.rule("REL-I2")
@pytest.mark.rule("OPS-I2")
def test_killed_backups_and_restores_lose_nothing(lab, cli, capsys):  # type: ignore[no-untyped-def]
    ok(cli("spec", "create", *EVA_SPEC))
    ok(cli("spec", "create", *XP_SPEC))
    _expected.clear()
    for spec in FILES:  # one replica of each made by a command that lives
        _backup(cli, lab, spec, "idb:999", random.Random(0))
        ok(cli("lab", "advance", "2h"))
    rng = random.Random(20081)
    outcomes: Counter[str] = Counter()
    t0 = time.monotonic()
    for command, spec, plan in TRIALS:
        step = _backup if command == "backup" else _restore
        outcome = step(cli, lab, spec, plan, rng)
        outcomes[f"{command} {plan or 'random'}: {outcome}"] += 1
        ok(cli("lab", "advance", "2h"))
        _verify(cli, _expected, spec)
    killed = sum(n for k, n in outcomes.items() if ": killed" in k)
    with capsys.disabled():
        print(f"\nkill test: {len(TRIALS)} trials, {killed} killed, {time.monotonic() - t0:.1f}s")
        for key in sorted(outcomes):
            print(f"  {outcomes[key]} x {key}")
    assert killed >= len([t for t in TRIALS if t[2]]) - 2  # the aimed kill points were reached
