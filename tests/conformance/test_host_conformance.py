"""The host family against both storage stacks of the simulator (LVM volume groups, Windows
basic disks), and the broken stacks it catches: a wrong code, a swallowed refusal, an
imported unit never let go of."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.conformance.runner import checks_for, run
from apprm_ref.conformance.subjects import SUBJECTS
from apprm_ref.errors import ApprmError, HostError

pytestmark = pytest.mark.rule("WIRE-I5")
HOSTS = ["sim-host", "sim-host-windows"]


def outcomes(subject: Any, **kw: Any) -> dict[str, Any]:
    return {r.id: r for r in run(subject, **kw)}


def test_the_host_family_keeps_its_checks() -> None:
    ids = [c.id for c in checks_for("host")]
    assert len(ids) >= 37 and len(set(ids)) == len(ids)
    assert sum(i.startswith("windows.") for i in ids) >= 6


@pytest.mark.parametrize("name", HOSTS)
def test_every_host_check_passes_with_ground_truth(name: str) -> None:
    res = outcomes(SUBJECTS[name](0))
    assert not [(i, r.detail) for i, r in res.items() if r.outcome == "fail"]
    skipped = {i for i, r in res.items() if r.outcome == "skip"}
    if name == "sim-host-windows":
        assert skipped == set()
    else:  # the Windows-only checks say which stack they need
        assert skipped == {i for i in res if i.startswith("windows.")}
        assert all("windows storage stack only" in res[i].detail for i in skipped)


class Wrapped:
    """The sim-host driver with its stack's methods replaced (a broken real driver)."""

    def __init__(self, driver: Any, **calls: Any) -> None:
        self._d, self._calls = driver, calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._d, name)

    def stack(self, host: str) -> Any:
        st = self._d.stack(host)
        for name, make in self._calls.items():
            setattr(st, name, make(getattr(st, name)))
        return st


def _subject(name: str, **calls: Any) -> Any:
    s = SUBJECTS[name](0)
    s.driver = Wrapped(s.driver, **calls)
    return s


def test_a_posix_code_from_a_windows_stack_fails() -> None:
    def recode(real: Any) -> Any:
        def unmount(host: str, point: str) -> None:
            try:
                real(host, point)
            except HostError as exc:
                raise HostError(str(exc), code="EBUSY") from None

        return unmount

    res = outcomes(_subject("sim-host-windows", unmount=recode))
    assert res["windows.dismount-with-folder"].outcome == "fail"
    assert "expected VDS_E_DEVICE_IN_USE" in res["windows.dismount-with-folder"].detail
    assert res["answer.resolve"].outcome == "pass"


@pytest.mark.parametrize("name", HOSTS)
def test_a_swallowed_release_refusal_fails(name: str) -> None:
    def swallow(real: Any) -> Any:
        def release(host: str, lay: Any) -> None:
            try:
                real(host, lay)
            except ApprmError:
                return None

        return release

    res = outcomes(_subject(name, release=swallow))
    assert res["busy.release-in-use"].outcome == "fail"
    assert "accepted, must be refused" in res["busy.release-in-use"].detail
    assert res["not-found.group.release"].outcome == "fail"


@pytest.mark.parametrize("name", HOSTS)
def test_an_export_that_lets_nothing_go_is_caught(name: str) -> None:
    """The Protocol lists no units, so the unit left behind shows as an exported replica
    that still mounts (Windows), or a name the next import finds taken (LVM)."""
    res = outcomes(_subject(name, export_group=lambda real: lambda host, unit: None))
    bad = res["exported.mount-imported"]
    assert bad.outcome == "fail"
    assert ("accepted, must be refused" if name == "sim-host-windows" else "EEXIST") in bad.detail


def test_the_cli_runs_the_conformance_only_windows_subject() -> None:
    import json

    from typer.testing import CliRunner

    from apprm_ref.cli.main import app

    args = ["conformance", "run", "--driver", "sim-host-windows", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output[-2000:]
    rep = json.loads(result.output)
    assert rep["counts"]["fail"] == 0 and rep["counts"]["pass"] == rep["total"] >= 37
