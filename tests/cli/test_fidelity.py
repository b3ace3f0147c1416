"""``apprm fidelity``: rule coverage from test markers, per reference file."""

from __future__ import annotations

from pathlib import Path

from .conftest import doc

RULES = """# Rule index

| file | ID | rule (first words) |
|---|---|---|
| arrays.md | ARR-I1 | one |
| arrays.md | ARR-P2 | two |
| vss-and-core.md | VC-P15 | three |
"""

# built at run time so that scanning this very file finds no markers in it
M = "@pytest.mark." + "rule"
TEST = f"""
import pytest

{M}("ARR-I1")
{M}("VC-P15")
def test_a(): ...

{M}("ARR-I1", "NOPE-I9")
def test_b(): ...
"""


def _root(tmp_path: Path, test: str = TEST) -> Path:
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    (tmp_path / "docs" / "reference" / "RULES.md").write_text(RULES)
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_x.py").write_text(test)
    return tmp_path


def test_coverage_json(tmp_path, cli):
    res = cli("fidelity", "--root", str(_root(tmp_path)), "--json")
    assert res.exit_code == 1  # a test names a rule that is not in RULES.md
    data = doc(res.stdout)
    assert (data["total"], data["covered"], data["uncovered"]) == (3, 2, 1)
    assert data["files"]["arrays.md"]["uncovered"] == ["ARR-P2"]
    assert data["files"]["arrays.md"]["covered"] == {"ARR-I1": ["tests/unit/test_x.py"]}
    assert data["unknown"] == {"NOPE-I9": ["tests/unit/test_x.py"]}


def test_text_report(tmp_path, cli):
    root = _root(tmp_path, TEST.replace('"NOPE-I9"', '"ARR-P2"'))
    res = cli("fidelity", "--root", str(root), "--uncovered", "-v")
    assert res.exit_code == 0, res.stderr
    assert "Total" in res.stdout and "100%" in res.stdout
    assert "VC-P15: tests/unit/test_x.py" in res.stdout


def test_project_rules(cli):
    root = Path(__file__).resolve().parents[2]
    res = cli("fidelity", "--root", str(root), "--json")
    data = doc(res.stdout)
    assert data["total"] >= 100
    assert "tests/cli/test_sessions.py" in data["files"]["vss-and-core.md"]["covered"]["VC-P15"]


def test_missing_rules_file(tmp_path, cli):
    from .conftest import one_error_line

    one_error_line(cli("fidelity", "--root", str(tmp_path)), "no rule index")
