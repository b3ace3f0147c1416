"""``apprm fidelity``: which rules of ``docs/reference/RULES.md`` are checked by which tests.

A test names the rule it checks with ``@pytest.mark.rule("ARR-P4")``; this command reads
the test sources (no import, no collection) and counts covered rules per reference file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from apprm_ref.cli.app import EXIT_WARN, emit_json, table
from apprm_ref.errors import ConfigError

app = typer.Typer(
    help="Which reference rules are checked by which tests.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RULE_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([A-Z]+-[IP]\d+)\s*\|")
MARKER = re.compile(r"mark\.rule\(([^)]*)\)")
RULE_ID = re.compile(r"""["']([A-Z]+-[IP]\d+)["']""")


@dataclass
class Coverage:
    rules: dict[str, str]  # rule id -> reference file
    tests: dict[str, list[str]] = field(default_factory=dict)  # rule id -> test files

    def unknown(self) -> dict[str, list[str]]:
        return {r: t for r, t in sorted(self.tests.items()) if r not in self.rules}

    def by_file(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for rid, ref in sorted(self.rules.items(), key=lambda kv: (kv[1], _key(kv[0]))):
            entry = out.setdefault(ref, {"total": 0, "covered": {}, "uncovered": []})
            entry["total"] += 1
            if rid in self.tests:
                entry["covered"][rid] = self.tests[rid]
            else:
                entry["uncovered"].append(rid)
        return out


def _key(rid: str) -> tuple[str, str, int]:
    prefix, _, rest = rid.partition("-")
    return prefix, rest[:1], int(rest[1:] or 0)


def read_rules(path: Path) -> dict[str, str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError("no rule index here", file=str(path)) from None
    rules: dict[str, str] = {}
    for line in text.splitlines():
        m = RULE_ROW.match(line)
        if m:
            rules[m.group(2)] = m.group(1)
    return rules


def scan_tests(tests: Path, root: Path) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(tests.rglob("*.py")):
        text = path.read_text(errors="replace")
        rel = path.relative_to(root).as_posix()
        for marker in MARKER.finditer(text):
            for rid in RULE_ID.findall(marker.group(1)):
                found.setdefault(rid, set()).add(rel)
    return {rid: sorted(files) for rid, files in sorted(found.items())}


def find_root(start: Path) -> Path:
    for d in [start, *start.parents]:
        if (d / "docs" / "reference" / "RULES.md").exists():
            return d
    pkg_root = Path(__file__).resolve().parents[2]
    if (pkg_root / "docs" / "reference" / "RULES.md").exists():
        return pkg_root
    raise ConfigError(f"no docs/reference/RULES.md above {start} (use --root)")


def coverage(root: Path) -> Coverage:
    rules = read_rules(root / "docs" / "reference" / "RULES.md")
    return Coverage(rules, scan_tests(root / "tests", root))


def report(cov: Coverage) -> dict[str, Any]:
    files = cov.by_file()
    covered = sum(len(f["covered"]) for f in files.values())
    return {
        "total": len(cov.rules),
        "covered": covered,
        "uncovered": len(cov.rules) - covered,
        "files": files,
        "unknown": cov.unknown(),
    }


@app.callback(invoke_without_command=True)
def fidelity(
    root: Path = typer.Option(None, "--root", help="project root (default: found from cwd)"),
    uncovered: bool = typer.Option(False, "--uncovered", help="list uncovered rule IDs"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="list the tests of each rule"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Rule coverage per reference file; exit 1 if a test names an unknown rule."""
    data = report(coverage(root or find_root(Path.cwd())))
    if as_json:
        emit_json(data)
    else:
        _print(data, uncovered=uncovered, verbose=verbose)
    if data["unknown"]:
        raise typer.Exit(EXIT_WARN)


def _print(data: dict[str, Any], *, uncovered: bool, verbose: bool) -> None:
    rows = []
    for name, f in data["files"].items():
        n = len(f["covered"])
        pct = f"{100 * n / f['total']:.0f}%" if f["total"] else "-"
        rows.append([name, f["total"], n, f["total"] - n, pct])
    pct = f"{100 * data['covered'] / data['total']:.0f}%" if data["total"] else "-"
    rows.append(["Total", data["total"], data["covered"], data["uncovered"], pct])
    typer.echo(table(["Reference", "Rules", "Covered", "Uncovered", "%"], rows))
    for name, f in data["files"].items():
        if verbose:
            for rid, tests in f["covered"].items():
                typer.echo(f"{rid}: {', '.join(tests)}")
        if uncovered and f["uncovered"]:
            typer.echo(f"{name} uncovered: {' '.join(f['uncovered'])}")
    for rid, tests in data["unknown"].items():
        typer.echo(
            f"apprm: warning: {rid} is not in RULES.md (named in {', '.join(tests)})", err=True
        )
