"""The suite catches deliberately broken drivers: a swallowed refusal, a wrong code, a leak,
a refusal that changes state, an unknown capability; and skips (naming the capability) what
a driver does not declare."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.conformance.runner import run
from apprm_ref.conformance.subjects import SUBJECTS
from apprm_ref.errors import ApprmError, EvaError
from apprm_ref.types import Op

from .broken import broken, with_features

pytestmark = pytest.mark.rule("WIRE-I5")


def outcomes(subject: Any, **kw: Any) -> dict[str, Any]:
    return {r.id: r for r in run(subject, **kw)}


def test_a_swallowed_refusal_fails_the_refusal_checks() -> None:
    s = SUBJECTS["sim-eva"](0)
    real = s.driver.delete_volume

    def swallow(volume: str) -> Any:
        try:
            return real(volume)
        except ApprmError:
            return Op(None, 0.0)

    res = outcomes(broken(s, delete_volume=swallow), observe_only=True)
    for rtype in ("snapshot", "vsnap", "snapclone"):
        assert res[f"delete.{rtype}.presented"].outcome == "fail"
        assert "accepted, must be refused" in res[f"delete.{rtype}.presented"].detail
    assert res["not-found.delete_volume"].outcome == "fail"
    assert res["create.snapshot.listed"].outcome == "pass"


def test_a_wrong_refusal_code_fails() -> None:
    s = SUBJECTS["sim-eva"](0)
    real = s.driver.present

    def recode(volume: str, host: str) -> Any:
        try:
            return real(volume, host)
        except EvaError as exc:
            raise EvaError(exc.message, code="EVA_INVALID_PARAMETER") from None

    res = outcomes(broken(s, present=recode), observe_only=True)
    assert res["present.snapshot.twice"].outcome == "fail"
    assert "expected EVA_ALREADY_PRESENTED" in res["present.snapshot.twice"].detail


def test_a_refusal_that_changes_state_fails() -> None:
    """A driver that presents the volume to a host before refusing changes what it reports."""
    s = SUBJECTS["sim-eva"](0)
    d = s.driver
    real = d.unpresent

    def side_effect(volume: str, host: str) -> Any:
        try:
            return real(volume, host)
        except EvaError:
            d.present(volume, host)
            raise

    res = outcomes(broken(s, unpresent=side_effect), observe_only=True)
    assert res["refusal.unpresent-never-presented"].outcome == "fail"
    assert "changed what the driver reports" in res["refusal.unpresent-never-presented"].detail


def test_a_leaking_driver_fails() -> None:
    """delete_volume that does nothing: the check's targets are left behind."""
    s = SUBJECTS["sim-eva"](0)
    res = outcomes(broken(s, delete_volume=lambda volume: Op(None, 0.0)), observe_only=True)
    assert "leak" in res["create.snapshot.listed"].detail
    assert res["create.snapshot.listed"].outcome == "fail"


def test_an_xp_driver_that_splits_a_copying_pair_is_caught() -> None:
    s = SUBJECTS["sim-xp"](0)
    real = s.driver.pair_split

    def lenient(pairs: Any, *, quick: bool = False) -> Any:
        try:
            return real(pairs, quick=quick)
        except ApprmError:
            return Op(None, 0.0)

    res = outcomes(broken(s, pair_split=lenient), observe_only=True)
    assert res["state.copy.split.mu0"].outcome == "fail"
    assert res["state.pair.split.mu0"].outcome == "pass"


def test_an_oracle_driver_that_ignores_backup_mode_errors_is_caught() -> None:
    s = SUBJECTS["sim-oracle"](0)
    real = s.driver.begin_backup

    def lenient(tablespace: str | None = None) -> None:
        try:
            real(tablespace)
        except ApprmError as exc:
            if exc.code != "ORA-01146":
                raise

    res = outcomes(broken(s, begin_backup=lenient), observe_only=True)
    assert res["backup.USERS.twice"].outcome == "fail"
    assert res["backup.database.twice"].outcome == "fail"
    assert res["backup.USERS.only-that"].outcome == "pass"


def test_undeclared_capability_skips_naming_it() -> None:
    s = SUBJECTS["sim-eva"](0)
    caps = s.driver.capabilities()
    feats = set(caps.features) - {"vsnap"}
    res = outcomes(broken(s, capabilities=lambda: with_features(caps, feats)), observe_only=True)
    assert res["create.vsnap.listed"].outcome == "skip"
    assert "vsnap" in res["create.vsnap.listed"].detail
    assert res["create.snapshot.listed"].outcome == "pass"


@pytest.mark.rule("EXT-I4")
def test_an_unknown_capability_cannot_even_be_declared() -> None:
    """Capabilities are a closed enum: a driver declaring a typo of "snapshot" is refused
    when it builds its capabilities, naming the known ones (so no check can skip on it)."""
    from apprm_ref.errors import ConfigError

    s = SUBJECTS["sim-eva"](0)
    caps = s.driver.capabilities()
    with pytest.raises(ConfigError, match="unknown capability 'snapshots'; known: .*snapshot"):
        with_features(caps, set(caps.features) | {"snapshots"})


def test_a_check_naming_an_unknown_capability_fails() -> None:
    from apprm_ref.conformance import suite

    suite.register("snapshot-array", "test.unknown-capability", "x", lambda ctx: None,
                   requires=("snap-shot",))  # fmt: skip
    try:
        s = SUBJECTS["sim-eva"](0)
        (r,) = run(s, only="test.unknown-capability")
        assert r.outcome == "fail" and "unknown capability snap-shot" in r.detail
    finally:
        del suite.CHECKS["snapshot-array"]["test.unknown-capability"]
