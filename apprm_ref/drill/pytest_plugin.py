"""Pytest plugin (entry point ``pytest11``): the ``rule`` marker, the ``sim_world`` and ``lab``
fixtures, and scenario files as test items.

``pytest --apprm-scenarios scenarios/`` collects every ``*.yaml`` under a ``scenarios``
directory as one test item that runs the drill and fails with each failed expectation
(file:line, expected, observed); a file that does not load is one failing item naming
``file:line: field``, never a collection error. Without the option, YAML files are left
alone. ``docs/pytest.md`` shows a CI using it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass
class SimLab:
    """The default estate (one EVA, one XP, an application and a backup host, two Oracle
    databases) with an in-memory IDB and the orchestrator, for a user's own tests."""

    world: Any
    repo: Any
    orchestrator: Any

    def create_spec(self, spec: dict[str, Any]) -> Any:
        return self.orchestrator.create_spec(spec)

    def backup(self, spec: str) -> Any:
        """Run one ZDB session of ``spec`` to its end; the finished Session."""
        return self.orchestrator.run_backup(spec)

    def restore(self, ref: str, array_opts: Any = None, app_opts: Any = None) -> Any:
        """Instant recovery from a replica (its ID or its session's); the finished Session."""
        return self.orchestrator.restore(ref, array_opts, app_opts)

    def invariant_problems(self) -> list[str]:
        return self.world.invariant_problems()


@pytest.fixture
def lab(request: pytest.FixtureRequest) -> Iterator[SimLab]:
    """The default estate seeded from the test's node id, with its own in-memory IDB."""
    from apprm_ref.core.service import Orchestrator
    from apprm_ref.idb.engine import MEMORY_URL, make_engine
    from apprm_ref.idb.repository import SqlRepository
    from apprm_ref.sim.estate import build_world, default_estate, sim_drivers

    world = build_world(default_estate(), seed_for(request.node.nodeid))
    repo = SqlRepository(make_engine(MEMORY_URL))
    orch = Orchestrator(sim_drivers(world), repo, world.env, epoch=world.clock.epoch)
    yield SimLab(world, repo, orch)
    repo.engine.dispose()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if not parent.config.getoption("apprm_scenarios", default=False):
        return None
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        from apprm_ref.drill.loader import load_scenario
        from apprm_ref.errors import ApprmError

        try:
            scenario = load_scenario(self.path)
        except ApprmError as exc:  # a bad file is a failing item, not a collection error
            yield BadScenarioItem.from_parent(self, name=self.path.name, problem=str(exc))
            return
        yield ScenarioItem.from_parent(self, name=scenario.name)


class BadScenarioItem(pytest.Item):
    """A scenario file that does not load: fails with the loader's ``file:line: field``."""

    def __init__(self, *, problem: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.problem = problem

    def runtest(self) -> None:
        raise DrillFailed([self.problem])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        return "scenario does not load:\n" + self.problem

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario {self.name}"


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
