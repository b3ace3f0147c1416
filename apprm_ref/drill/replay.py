"""Replay a trace: re-run the scenario it names with its seed and find the first difference.

The header pins the scenario file by SHA-256: a changed scenario is refused (bad input)
rather than reported as a behaviour change, since the code is what a replay checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apprm_ref.drill.result import DrillResult
from apprm_ref.drill.trace import Difference, file_digest, first_difference, read_trace
from apprm_ref.errors import ConfigError


@dataclass
class ReplayOutcome:
    recorded_digest: str
    result: DrillResult
    difference: Difference | None

    @property
    def same(self) -> bool:
        return self.difference is None


def scenario_of(trace_path: str | Path, recorded: str) -> Path:
    """The scenario a trace names: as recorded, else relative to the trace's directory."""
    p = Path(recorded)
    if p.exists():
        return p
    beside = Path(trace_path).parent / recorded
    if beside.exists():
        return beside
    raise ConfigError(
        f"the scenario it names ({recorded}) does not exist",
        file=str(trace_path),
        line=1,
        field="scenario",
    )


def replay(trace_path: str | Path) -> ReplayOutcome:
    from apprm_ref.drill.runner import run_file

    trace = read_trace(trace_path)
    scenario = scenario_of(trace_path, str(trace.header["scenario"]))
    digest = file_digest(scenario)
    if digest != trace.header["scenario_sha256"]:
        raise ConfigError(
            f"scenario {scenario} changed since the trace was recorded "
            f"(sha256 {digest[:12]}..., trace has {str(trace.header['scenario_sha256'])[:12]}...)",
            file=str(trace_path),
            line=1,
            field="scenario_sha256",
        )
    result = run_file(scenario, seed=int(trace.header["seed"]))
    assert result.trace is not None
    return ReplayOutcome(trace.digest, result, first_difference(trace.lines, result.trace.lines))
