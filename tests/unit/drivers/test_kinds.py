"""The kind registry: descriptors validated when registered (EXT-I2), every kind switch
refusing an unknown kind with the registered list (EXT-I3), capabilities a closed enum (EXT-I4)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from apprm_ref.conformance.harness import run_case
from apprm_ref.conformance.sim_backdoors import sim_eva_subject
from apprm_ref.core.replication.base import method_for
from apprm_ref.core.specs import parse_spec
from apprm_ref.drivers import registry
from apprm_ref.drivers.builtin_kinds import EVA, FILESYSTEM, ORACLE
from apprm_ref.drivers.capabilities import Capabilities, Capability
from apprm_ref.drivers.kinds import Application, DriverDecl
from apprm_ref.errors import ConfigError, PlanError
from apprm_ref.sim.estate import Estate, build_world, default_estate
from apprm_ref.sim.world import World
from apprm_ref.types import ReplicaType


@pytest.fixture(autouse=True)
def _fresh_registry():  # type: ignore[no-untyped-def]
    registry.refresh()
    yield
    registry.refresh()


# --- registration ------------------------------------------------------------------------


@pytest.mark.rule("EXT-I2")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bad Name"}, "a name is lower-case"),
        ({"config": "not a ref"}, "is not a reference"),
        ({"drivers": ()}, "at least one driver"),
        ({"drivers": (DriverDecl("sim-x", "m:f"),)}, "its simulator's driver"),
        ({"restore_methods": ("a", "a")}, "listed twice"),
    ],
)
def test_a_malformed_array_family_is_refused_when_registered(change, message) -> None:  # type: ignore[no-untyped-def]
    bad = dataclasses.replace(EVA, **{"name": "other", **change})
    with pytest.raises(ConfigError, match=message):
        registry.register(bad)
    assert "other" not in [f.name for f in registry.array_families()]


@pytest.mark.rule("EXT-I2")
def test_an_application_with_a_simulator_needs_a_backup_mode_probe() -> None:
    with pytest.raises(ConfigError, match="backup-mode probe"):
        registry.register(dataclasses.replace(ORACLE, name="ora2", backup_mode=None, drivers=()))


@pytest.mark.rule("EXT-I3")
def test_a_kind_or_driver_name_is_registered_once() -> None:
    with pytest.raises(ConfigError, match="'eva' is already registered"):
        registry.register(dataclasses.replace(EVA, drivers=EVA.drivers[:1]))
    with pytest.raises(ConfigError, match="driver 'sim-eva' is already registered"):
        registry.register(dataclasses.replace(EVA, name="eva2"))
    with pytest.raises(ConfigError, match="protocol snapshot-array is served by"):
        registry.register(
            dataclasses.replace(
                EVA,
                name="eva3",
                drivers=(DriverDecl("sim-eva3", "m:f", simulator=True),),
                replication="apprm_ref.core.replication.split_mirror:SplitMirrorReplication",
            )
        )


@pytest.mark.rule("EXT-I2")
def test_register_in_process_adds_an_application_and_its_replica_types() -> None:
    fs2 = dataclasses.replace(FILESYSTEM, name="fs2")
    with registry.registered(fs2):
        assert registry.application("fs2") is fs2
        assert (
            parse_spec(
                {
                    "name": "s",
                    "type": "fs2",
                    "application_system": "h",
                    "array": "a",
                    "objects": ["/d"],
                }
            ).type
            == "fs2"
        )
    with pytest.raises(ConfigError, match="unknown application 'fs2'"):
        registry.application("fs2")
    assert ReplicaType("vsnap") is ReplicaType.VSNAP
    with pytest.raises(ValueError, match="unknown replica type 'teleport'; declared: mirror"):
        ReplicaType("teleport")


@pytest.mark.rule("EXT-I2")
def test_a_non_descriptor_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a kind descriptor"):
        registry.register(Application)  # type: ignore[arg-type]


# --- EXT-I3: every entry point refuses an unknown kind ----------------------------------


@pytest.mark.rule("EXT-I3")
@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"arrays": [{"type": "msa", "name": "m"}]},
            "unknown array family 'msa'; registered: eva, xp",
        ),
        (
            {"applications": [{"type": "db2", "name": "S", "host": "h"}]},
            "unknown application 'db2'; registered: exchange, filesystem, mssql, oracle, sap, vss",
        ),
        (
            {"hosts": [{"name": "h", "storage": "zfs"}]},
            "unknown storage stack 'zfs'; registered: lvm",
        ),
    ],
)
def test_an_estate_of_an_unknown_kind_is_refused(tmp_path, doc, message) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.sim.estate import load_estate

    path = tmp_path / "estate.yaml"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=message):
        load_estate(path)


@pytest.mark.rule("EXT-I3")
def test_a_spec_of_an_unknown_application_is_refused() -> None:
    with pytest.raises(
        ConfigError,
        match="unknown application 'lotus'; registered: exchange, filesystem, mssql, oracle, sap, vss",
    ):
        parse_spec({"name": "s", "type": "lotus", "application_system": "h", "array": "a"})


@pytest.mark.rule("EXT-I3")
def test_a_scenario_failure_or_method_of_no_registered_kind_is_refused() -> None:
    from pydantic import ValidationError

    from apprm_ref.drill.steps import Failure, Restore

    with pytest.raises(
        ValidationError, match="unknown failure 'meteor'; registered: corrupted_datafile"
    ):
        Failure(kind="meteor")
    with pytest.raises(
        ValidationError, match="unknown method 'teleport'; registered restore methods"
    ):
        Restore(session="last-of x", method="teleport")


@pytest.mark.rule("EXT-I3")
def test_conformance_cli_refuses_an_unknown_driver_listing_the_subjects() -> None:
    from apprm_ref.cli.main import app

    res = CliRunner().invoke(app, ["conformance", "run", "--driver", "nope"])
    assert res.exit_code == 2
    assert (
        "no conformance subject for driver 'nope'; known: eva-smis, oracle-dbapi, sap-brtools, "
        "sim-eva, sim-exchange, sim-host, sim-mssql, sim-oracle, sim-sap, sim-vss, sim-xp, "
        "vss-diskshadow, xp-cci" in res.stderr
    )


@pytest.mark.rule("EXT-I3")
def test_a_saved_world_of_an_unregistered_kind_is_refused() -> None:
    world = build_world(default_estate(), seed=1)
    doc = world.to_plain()
    plain = json.dumps(doc).replace('"eva.Backend"', '"msa.MsaBackend"')
    with pytest.raises(ConfigError, match="saved world holds array eva1 of an unregistered kind"):
        World.from_plain(json.loads(plain))
    world.arrays["eva1"].kind = "msa"  # a known class whose kind is not registered
    from apprm_ref.sim.estate import sim_drivers

    with pytest.raises(ConfigError, match="unknown array family 'msa'; registered: eva, xp"):
        sim_drivers(world)


@pytest.mark.rule("EXT-I3")
def test_a_driver_of_no_registered_protocol_has_no_replication_method() -> None:
    class Odd:
        def capabilities(self) -> Capabilities:
            return Capabilities("tape-array")

    with pytest.raises(PlanError, match="no array family speaks protocol 'tape-array'"):
        method_for(Odd())


@pytest.mark.rule("EXT-I3")
def test_the_family_of_a_protocol_follows_every_registration() -> None:
    """``family_for_protocol`` remembers its answers: a registration and a refresh forget
    them, so the answer is always the one the registered families give."""

    class Tape:
        def capabilities(self) -> Capabilities:
            return Capabilities("tape-array")

    assert registry.family_for_protocol("snapshot-array") is EVA
    assert registry.family_for_protocol("snapshot-array") is EVA  # remembered
    with pytest.raises(ConfigError):
        registry.family_for_protocol("tape-array")
    tape = dataclasses.replace(
        EVA,
        name="tape",
        protocol="tape-array",
        drivers=(DriverDecl("sim-tape", "m:f", simulator=True),),
        replication="apprm_ref.core.replication.split_mirror:SplitMirrorReplication",
    )
    with registry.registered(tape):
        assert registry.family_for_protocol("tape-array") is tape
        assert type(method_for(Tape())).__name__ == "SplitMirrorReplication"
        # a family sorted before eva speaking its protocol is the first one now
        early = dataclasses.replace(
            EVA, name="aeva", drivers=(DriverDecl("sim-aeva", "m:f", simulator=True),)
        )
        with registry.registered(early):
            assert registry.family_for_protocol("snapshot-array") is early
        assert registry.family_for_protocol("snapshot-array") is EVA
    with pytest.raises(ConfigError):  # refreshed: the registrations are gone
        registry.family_for_protocol("tape-array")
    registry.refresh()
    assert registry.family_for_protocol("snapshot-array") is EVA


def test_resolve_imports_what_is_not_imported_yet_and_reads_the_module_each_time(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import sys

    from apprm_ref.drivers import kinds

    monkeypatch.delitem(sys.modules, "apprm_ref.drivers.eva_limits", raising=False)
    got = kinds.resolve("apprm_ref.drivers.eva_limits:raw_bytes")
    assert got is sys.modules["apprm_ref.drivers.eva_limits"].raw_bytes
    monkeypatch.setattr(sys.modules["apprm_ref.drivers.eva_limits"], "raw_bytes", len)
    assert kinds.resolve("apprm_ref.drivers.eva_limits:raw_bytes") is len
    with pytest.raises(ConfigError, match="is not available"):
        kinds.resolve("apprm_ref.drivers.eva_limits:nothing_here")
    with pytest.raises(ConfigError, match="is not available"):
        kinds.resolve("apprm_ref.no_such_module:x")
    # a module imported afresh (removed from sys.modules, then imported) is the one read
    monkeypatch.delitem(sys.modules, "apprm_ref.drivers.eva_limits")
    again = kinds.resolve("apprm_ref.drivers.eva_limits:raw_bytes")
    fresh = sys.modules["apprm_ref.drivers.eva_limits"]
    assert again is fresh.raw_bytes and again is not len


# --- EXT-I4: capabilities ---------------------------------------------------------------


@pytest.mark.rule("EXT-I4")
def test_capabilities_are_a_closed_enum() -> None:
    with pytest.raises(ConfigError, match="unknown capability 'warp'"):
        Capabilities("snapshot-array", features=frozenset({"snapshot", "warp"}))
    caps = Capabilities("snapshot-array", features=frozenset({"snapshot"}))
    assert caps.has(Capability.SNAPSHOT) and caps.has("snapshot") and not caps.has("vsnap")
    with pytest.raises(ConfigError, match="unknown capability 'snapshots'"):
        caps.has("snapshots")


class _NoVsnap:
    """The sim EVA driver declaring no vsnap (what an older firmware's SMI-S profile says)."""

    def __init__(self, inner):  # type: ignore[no-untyped-def]
        self.inner, self.name = inner, inner.name

    def capabilities(self) -> Capabilities:
        caps = self.inner.capabilities()
        feats = caps.features - {Capability.VSNAP}
        return Capabilities(caps.kind, caps.vendor, caps.model, feats, caps.limits)

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


@pytest.mark.rule("EXT-I4")
def test_a_spec_needing_an_undeclared_capability_is_refused_at_creation() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
    from eva_lab import Lab

    lab = Lab()
    lab.drivers.arrays["eva1"] = _NoVsnap(lab.drivers.arrays["eva1"])
    with pytest.raises(ConfigError, match="does not declare vsnap") as info:
        lab.spec("fs", snapshot_type="vsnap")
    assert info.value.field == "replication"
    lab.spec("fs", snapshot_type="snapshot")  # what it declares is accepted
    assert [s.name for s in lab.repo.list_specs()] == ["fs"]


@pytest.mark.rule("EXT-I4")
def test_conformance_fails_never_skips_on_an_unknown_capability_name() -> None:
    driver, backdoor = sim_eva_subject(0)

    def asks_for_warp(h):  # type: ignore[no-untyped-def]
        h.require("warp-drive")

    def asks_for_cascade(h):  # type: ignore[no-untyped-def]
        h.require(Capability.CASCADE)

    failed = run_case(driver, backdoor, "asks_for_warp", asks_for_warp)
    assert failed.outcome == "failed" and "unknown capability 'warp-drive'" in failed.detail
    assert run_case(driver, backdoor, "asks_for_cascade", asks_for_cascade).outcome == "skipped"


def test_estate_entries_are_their_kind_config_models() -> None:
    est = Estate.model_validate(default_estate().model_dump())
    assert [type(a).__name__ for a in est.arrays] == ["EvaCfg", "XpCfg"]
    assert [type(a).__name__ for a in est.applications] == ["OracleCfg", "OracleCfg"]
