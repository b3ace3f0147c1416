"""The layer attribution of ``bench.profile``: own time goes to the file's layer, builtin
and stdlib time follows its callers in proportion, and nothing is lost or counted twice."""

from __future__ import annotations

import pytest

from bench import profile

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


def test_interpreted_calls_leave_builtins_out() -> None:
    stats = {ORA: (3, 7, 0.1, 0.1, {}), SORTED: (9, 9, 0.1, 0.1, {}), STDLIB: (2, 2, 0.0, 0.0, {})}
    assert profile.interpreted_calls(stats) == 9
