"""The layer arrows and the types of core/, drivers/ and idb/ are checked in the test suite.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``, ``[tool.mypy]``); these
tests run the tools on them, so a forbidden import or a type error fails CI.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


@pytest.mark.rule("EXT-I1")
def test_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter.cli import lint_imports

    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert status == 0, out
    assert "0 broken" in out


@pytest.mark.rule("EXT-I1")
def test_the_contracts_name_every_required_arrow() -> None:
    """Deleting or loosening a contract is a visible change of this test, not a silent one."""
    from importlinter.api import read_configuration

    contracts = {c["name"]: c for c in read_configuration(str(PYPROJECT))["contracts_options"]}
    layers = next(c for c in contracts.values() if c["type"] == "layers")
    assert layers["layers"][:4] == [
        "apprm_ref.cli | apprm_ref.doors",
        "apprm_ref.drill",
        "apprm_ref.core",
        "apprm_ref.drivers",
    ]
    forbidden = {
        src: set(c["forbidden_modules"])
        for c in contracts.values()
        if c["type"] == "forbidden"
        for src in c["source_modules"]
    }
    outside = {"apprm_ref.sim", "apprm_ref.real", "apprm_ref.idb", "apprm_ref.cli"}
    assert outside <= forbidden["apprm_ref.core"]
    assert {"apprm_ref.core"} <= forbidden["apprm_ref.sim"] & forbidden["apprm_ref.real"]
    assert "apprm_ref.cli" in forbidden["apprm_ref.idb"]
    # the API and its console share apprm_ref.front with the CLI, never the CLI itself
    for door in ("apprm_ref.api", "apprm_ref.console", "apprm_ref.front"):
        assert "apprm_ref.cli" in forbidden[door]


def test_driverset_lives_in_drivers() -> None:
    from apprm_ref.core.context import DriverSet as FromCore
    from apprm_ref.drivers.driverset import DriverSet

    assert FromCore is DriverSet and DriverSet.__module__ == "apprm_ref.drivers.driverset"


@pytest.mark.rule("EXT-I6")
def test_mypy_passes_on_core_drivers_and_idb(monkeypatch: pytest.MonkeyPatch) -> None:
    from mypy import api

    monkeypatch.chdir(ROOT)  # the configured files are relative to the project root
    out, err, status = api.run(["--config-file", str(PYPROJECT), "--no-error-summary"])
    assert status == 0, out + err
    targets = ["apprm_ref/core", "apprm_ref/drivers", "apprm_ref/idb"]
    assert tomllib.loads(PYPROJECT.read_text())["tool"]["mypy"]["files"] == targets
