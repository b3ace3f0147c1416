"""Pytest plugin (entry point ``pytest11``): the ``rule`` marker, the ``sim_world`` fixture, and
scenario files as test items.

``pytest --apprm-scenarios scenarios/`` collects every ``*.yaml`` under a ``scenarios``
directory as one test item that runs the drill and fails with each failed expectation
(file:line, expected, observed). Without the option, YAML files are left alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apprm", "apprm-ref drills")
    group.addoption(
        "--apprm-scenarios",
        action="store_true",
        default=False,
        help="collect scenarios/**/*.yaml as drill test items",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(id): the RULES.md rule this test checks")
    config.addinivalue_line("markers", "slow: long property runs and drills")


def seed_for(nodeid: str) -> int:
    """A stable seed from a test's node id (the same test always gets the same world)."""
    return int.from_bytes(hashlib.sha256(nodeid.encode()).digest()[:4], "big")


@pytest.fixture
def sim_world(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fresh simulated world seeded from the test's node id (stable across runs)."""
    from apprm_ref.sim.world import World

    return World(seed_for(request.node.nodeid))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if not parent.config.getoption("apprm_scenarios", default=False):
        return None
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        from apprm_ref.drill.loader import load_scenario

        scenario = load_scenario(self.path)
        yield ScenarioItem.from_parent(self, name=scenario.name)


class DrillFailed(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from apprm_ref.drill.runner import run_file

        result = run_file(self.path)
        self.user_properties.append(("trace_sha256", result.digest))
        if not result.passed:
            lines = [
                f"{self.path}:{e.line or '?'}: {e.name}: expected {e.expected}, observed {e.observed}"
                for e in result.failed
            ]
            raise DrillFailed(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, DrillFailed):
            return "drill expectations failed:\n" + "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"drill {self.name}"
