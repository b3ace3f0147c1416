"""Failure events: each changes exactly what it names, through the simulators' own state."""

from __future__ import annotations

import pytest

from apprm_ref.drill.failures import inject
from apprm_ref.drill.steps import Failure
from apprm_ref.errors import ConfigError
from apprm_ref.sim.oracle.estate import build_estate


@pytest.fixture
def estate():  # type: ignore[no-untyped-def]
    return build_estate(seed=3)


@pytest.fixture
def eva_world():  # type: ignore[no-untyped-def]
    from apprm_ref.sim.estate import build_world, default_estate

    return build_world(default_estate(), seed=3)


def _vdisk(world, name):  # type: ignore[no-untyped-def]
    eva = world.array("eva1")
    return next(v for v in eva.vdisks.values() if v.name == name)


def test_lost_volume_keeps_identity_loses_content(eva_world) -> None:  # type: ignore[no-untyped-def]
    data1, data2 = _vdisk(eva_world, "data1"), _vdisk(eva_world, "data2")
    data1.data.write(0, "a")
    data2.data.write(0, "b")
    inject(eva_world, Failure(kind="lost_volume", array="eva1", volume="data1"))
    assert _vdisk(eva_world, "data1") is data1 and not data1.data.written()
    assert data2.data.written()  # the others are untouched


def test_unknown_volume_is_a_config_error(eva_world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="no volume 'nope'"):
        inject(eva_world, Failure(kind="lost_volume", array="eva1", volume="nope"))


@pytest.mark.rule("EXT-I3")
def test_array_of_no_registered_family_cannot_lose_a_volume(estate) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="unknown array family None; registered: eva, xp"):
        inject(estate.world, Failure(kind="lost_volume", array="plain", volume="varch"))


def test_dropped_table_is_one_committed_transaction(estate) -> None:  # type: ignore[no-untyped-def]
    db = estate.db
    db.workload(20)
    tables = db.data()
    victim = sorted(tables)[0]
    scn = db.scn
    inject(estate.world, Failure(kind="dropped_table", app="PRD", table=victim))
    assert victim not in db.data() and db.scn == scn + 1
    assert {t: r for t, r in tables.items() if t != victim} == db.data()


def test_corrupted_datafile_kills_the_instance_and_the_file(estate) -> None:  # type: ignore[no-untyped-def]
    path = "/oradata/users01.dbf"
    inject(estate.world, Failure(kind="corrupted_datafile", app="PRD", file=path))
    assert not estate.db.alive()
    assert estate.world.hosts.read_block("db1", path, 0) == ("corrupt", path, 0)
    assert estate.world.invariant_problems() == []


def test_host_crash_and_event(estate) -> None:  # type: ignore[no-untyped-def]
    seen = []
    estate.world.subscribe(lambda ev: seen.append(ev.kind))
    label = inject(estate.world, Failure(kind="host_crash", host="db1"))
    assert estate.world.hosts.host("db1").crashed and label == "host db1 crashed"
    assert seen[-1] == "drill.failure"
