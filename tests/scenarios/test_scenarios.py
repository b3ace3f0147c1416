"""Every shipped scenario passes, twice with the same trace digest, equal to its golden digest.

A behaviour change in any layer changes some digests: that is the point. After checking
the change is intended, refresh with ``APPRM_UPDATE_GOLDEN=1 python -m pytest tests/scenarios``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from apprm_ref.drill.loader import load_scenario
from apprm_ref.drill.replay import replay
from apprm_ref.drill.runner import run_file
from apprm_ref.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN_FILE = Path(__file__).with_name("golden_digests.json")
UPDATE = bool(os.environ.get("APPRM_UPDATE_GOLDEN"))


def _golden() -> dict[str, str]:
    return json.loads(GOLDEN_FILE.read_text()) if GOLDEN_FILE.exists() else {}


# The rules a scenario's expectations check (read statically by ``apprm fidelity``).
RULES = {
    "eva-rotation-vsnap": [
        pytest.mark.rule("ARR-P1"),
        pytest.mark.rule("ARR-P2"),
        pytest.mark.rule("ARR-I13"),
    ],
    "xp-rotation-mu": [
        pytest.mark.rule("ARR-P1"),
        pytest.mark.rule("ARR-P2"),
        pytest.mark.rule("ARR-I13"),
    ],
    "eva-fault-undo": [pytest.mark.rule("ARR-I14"), pytest.mark.rule("ARR-I16")],
    "eva-backup-host-crash": [pytest.mark.rule("ARR-I14"), pytest.mark.rule("ARR-I16")],
    "xp-fault-pairsplit": [pytest.mark.rule("ARR-I14"), pytest.mark.rule("ARR-I16")],
    "oracle-fault-in-backup-mode": [pytest.mark.rule("OS-P9"), pytest.mark.rule("ARR-I16")],
    "eva-ir-switch": [pytest.mark.rule("ARR-P4"), pytest.mark.rule("ARR-P5")],
    "eva-ir-copy-back-keep": [pytest.mark.rule("ARR-P4"), pytest.mark.rule("ARR-P5")],
    "xp-ir-normal": [pytest.mark.rule("ARR-P4")],
    "xp-ir-quick": [pytest.mark.rule("ARR-P4")],
    "xp-create-pairs-ir": [pytest.mark.rule("ARR-P4"), pytest.mark.rule("ARR-I14")],
    "eva-disaster-lost-volumes": [pytest.mark.rule("ARR-P4")],
    "week-flaky-presentation": [pytest.mark.rule("ARR-I14"), pytest.mark.rule("ARR-I13")],
    "oracle-online-complete-recovery": [pytest.mark.rule("OS-P3")],
    "windows-eva-ir": [pytest.mark.rule("ARR-P4"), pytest.mark.rule("ARR-I17")],
    "windows-xp-ir": [pytest.mark.rule("ARR-P4"), pytest.mark.rule("ARR-I17")],
    "vss-sql-eva-transportable-ir": [pytest.mark.rule("VC-I11"), pytest.mark.rule("VC-I14")],
    "vss-sql-writer-freeze-timeout": [pytest.mark.rule("VC-P18"), pytest.mark.rule("VC-P2")],
    "vss-sql-xp-resync-rotation": [pytest.mark.rule("VC-I13")],
    "vss-filesystem-session-ir": [pytest.mark.rule("VC-I14")],
    "sap-split-fault-eva": [pytest.mark.rule("OS-P14")],
    "sap-ir-archives-missing": [pytest.mark.rule("OS-P16")],
    "exchange-2003-eva-ir": [pytest.mark.rule("VC-P6"), pytest.mark.rule("VC-P9")],
    "exchange-2007-ccr-passive": [pytest.mark.rule("VC-P20")],
    "exchange-corrupt-page-check": [pytest.mark.rule("VC-I20"), pytest.mark.rule("VC-P19")],
    "exchange-2007-rsg-restore": [pytest.mark.rule("VC-P9")],
}
PARAMS = [pytest.param(p, marks=RULES.get(p.stem, []), id=p.stem) for p in SCENARIOS]


@pytest.mark.rule("EXT-P1")
@pytest.mark.parametrize("path", PARAMS)
def test_scenario_passes_with_a_stable_golden_digest(path: Path) -> None:
    first, second = run_file(path), run_file(path)
    assert first.passed, [(e.name, e.expected, e.observed) for e in first.failed]
    assert first.digest == second.digest, "same scenario + seed gave two different traces"
    if UPDATE:
        golden = _golden()
        golden[path.stem] = first.digest
        GOLDEN_FILE.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n")
    assert _golden().get(path.stem) == first.digest, (
        f"{path.name}: the trace changed. If the behaviour change is intended, refresh with "
        "APPRM_UPDATE_GOLDEN=1 python -m pytest tests/scenarios (and say so in the commit)"
    )
    text = first.trace.text()  # type: ignore[union-attr]
    assert " at 0x" not in text and "object at" not in text  # no object ids in a trace


def test_golden_file_lists_exactly_the_shipped_scenarios() -> None:
    assert sorted(_golden()) == sorted(p.stem for p in SCENARIOS)


def test_quickstart_is_there_and_every_scenario_is_described() -> None:
    assert ROOT / "scenarios" / "quickstart.yaml" in SCENARIOS and len(SCENARIOS) >= 11
    for path in SCENARIOS:
        assert load_scenario(path).description.strip(), path


def test_malformed_scenario_gives_one_line_naming_file_line_and_field(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "quickstart.yaml").read_text()
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if "restore:" in line)
    lines[k] = lines[k].replace("method: copy-back", "method: copyback")
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{bad}:{k + 1}: timeline[")
    assert ".restore.method: unknown method 'copyback'; registered restore methods: " in msg
    assert msg.endswith("'copy-back', 'normal', 'quick', 'switch'")


def test_replay_catches_an_injected_difference(tmp_path: Path) -> None:
    scen = tmp_path / "quickstart.yaml"
    shutil.copy(ROOT / "scenarios" / "quickstart.yaml", scen)
    result = run_file(scen)
    trace = tmp_path / "q.jsonl"
    result.trace.write(trace)  # type: ignore[union-attr]
    assert replay(trace).same
    lines = trace.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if '"type":"session.end"' in line)
    lines[k] = lines[k].replace('"status":"Completed"', '"status":"Failed"')
    trace.write_text("\n".join(lines) + "\n")
    out = replay(trace)
    assert out.difference is not None and out.difference.index == k - 1
    assert '"status":"Completed"' in (out.difference.actual or "")


def test_quickstart_digest_is_stable_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import subprocess
    import sys

    digests = set()
    for hashseed in ("1", "4242"):
        trace = tmp_path / f"t{hashseed}.jsonl"
        code = "from apprm_ref.cli.drill import app; app()"
        args = [
            sys.executable,
            "-c",
            code,
            "run",
            str(ROOT / "scenarios" / "quickstart.yaml"),
            "--trace",
            str(trace),
        ]
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        assert subprocess.run(args, env=env, capture_output=True, check=False).returncode == 0
        digests.add(replay_digest(trace))
    assert digests == {_golden()["quickstart"]}


def replay_digest(trace: Path) -> str:
    from apprm_ref.drill.trace import read_trace

    return read_trace(trace).digest
