"""The layer attribution of ``bench.profile``: own time goes to the file's layer, builtin
and stdlib time follows its callers in proportion, and nothing is lost or counted twice."""

from __future__ import annotations

import cProfile
import pstats
from dataclasses import dataclass

import pytest

from bench import profile
from bench.calls import call_totals

ORA = ("/x/apprm_ref/sim/oracle/transactions.py", 10, "transact")
IDB = ("/x/apprm_ref/idb/repository.py", 5, "save_session")
SORTED = ("~", 0, "<built-in method builtins.sorted>")
STDLIB = ("/usr/lib/python3.11/random.py", 1, "randrange")


def _row(own: float, callers: dict) -> tuple:
    return (1, 1, own, own, callers)


def test_layers_of_files() -> None:
    assert profile.layer_of(ORA[0]) == "sim.oracle"
    assert profile.layer_of("/v/site-packages/sqlalchemy/orm/session.py") == "idb"
    assert profile.layer_of("/w/apprm_ref/core/replication/snapshot.py") == "core.replication"
    assert profile.layer_of("/w/apprm_ref/core/service.py") == "core"
    assert profile.layer_of(STDLIB[0]) is None


def test_unowned_time_follows_callers_in_proportion() -> None:
    stats = {
        ORA: _row(1.0, {}),
        IDB: _row(2.0, {}),
        # sorted(): 3 s called from Oracle (own 0.3 there) and from the IDB (0.1 there)
        SORTED: _row(4.0, {ORA: (1, 1, 0.3, 0.3), IDB: (1, 1, 0.1, 0.1)}),
        # random.randrange called only from Oracle, through a stdlib hop
        STDLIB: _row(0.5, {ORA: (1, 1, 0.5, 0.5)}),
    }
    out = profile.charge(stats)
    assert out["sim.oracle"] == pytest.approx(1.0 + 3.0 + 0.5)
    assert out["idb"] == pytest.approx(2.0 + 1.0)
    assert sum(out.values()) == pytest.approx(7.5)


def test_orphan_builtin_time_is_reported_not_dropped() -> None:
    out = profile.charge({SORTED: _row(0.25, {})})
    assert out == {"unattributed": pytest.approx(0.25)}


@dataclass
class _First:
    x: int


@dataclass
class _Second:
    y: int


def test_call_totals_count_every_code_object_and_keep_builtins_apart() -> None:
    prof = cProfile.Profile()
    prof.enable()
    for i in range(3):
        _First(i)
        _Second(i)
    sorted([2, 1])
    prof.disable()
    python, everything = call_totals(prof)
    inits = [e for e in prof.getstats() if getattr(e.code, "co_name", "") == "__init__"]
    assert sum(e.callcount for e in inits) == 6 and len(inits) == 2
    # pstats keeps one row for the two generated __init__s (the same file, line and name)
    rows = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    assert sum(r[1] for k, r in rows.items() if k[2] == "__init__") == 3
    assert python == 6  # the two __init__s, three calls each
    assert everything == python + 2  # sorted() and the profiler's own disable()
