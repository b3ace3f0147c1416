"""``bench.subtree``: instructions inside named functions, counted by callgrind with
collection switched on only while an outermost counted call runs.

The wrapping and the refusals are checked without valgrind (a recording stand-in for the
toggle helper); one small window is counted where valgrind is installed (always on CI)."""

from __future__ import annotations

import os
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from bench import subtree
from bench.instructions import CountError

HAVE_VALGRIND = shutil.which("valgrind") is not None
counted_here = pytest.mark.skipif(
    not HAVE_VALGRIND and not os.environ.get("APPRM_CI"), reason="valgrind not installed"
)


class Tree:
    """A recursive function and one that fails, to wrap."""

    def walk(self, n: int) -> int:
        return 0 if n == 0 else 1 + self.walk(n - 1)

    def fail(self) -> None:
        raise KeyError("x")

    def _private(self) -> None:
        pass


@pytest.fixture
def toggles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in ``_cgtoggle`` that records each switch, and a clean ``Tree``."""
    seen: list[str] = []
    fake = types.ModuleType("_cgtoggle")
    fake.toggle = lambda: seen.append("toggle")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "_cgtoggle", fake)
    for name in ("walk", "fail"):
        monkeypatch.setattr(Tree, name, Tree.__dict__[name])
    return seen


def test_collection_is_on_only_around_the_outermost_call(toggles: list[str]) -> None:
    subtree.count_inside([f"{__name__}:Tree.walk"])
    assert Tree().walk(5) == 5  # six nested calls, one span counted
    assert toggles == ["toggle", "toggle"]


def test_a_failing_call_still_switches_collection_off(toggles: list[str]) -> None:
    subtree.count_inside([f"{__name__}:Tree.*"])
    with pytest.raises(KeyError):
        Tree().fail()
    assert toggles == ["toggle", "toggle"]
    Tree().walk(2)
    assert toggles == ["toggle"] * 4


def helper() -> str:
    return "helped"


def test_a_function_imported_by_name_is_counted_there_too(
    toggles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = types.ModuleType("apprm_subtree_user")
    user.helper = helper  # type: ignore[attr-defined]  # what ``from m import helper`` leaves
    monkeypatch.setitem(sys.modules, user.__name__, user)
    monkeypatch.setattr(sys.modules[__name__], "helper", helper)
    subtree.count_inside([f"{__name__}:helper"])
    assert user.helper() == "helped"  # type: ignore[attr-defined]
    assert toggles == ["toggle", "toggle"]


def test_a_class_target_names_its_public_methods() -> None:
    names = sorted(n for _, n in subtree.resolve(f"{__name__}:Tree.*"))
    assert names == ["fail", "walk"]


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("no_colon", "expected module:Qualname"),
        ("nosuch.module:f", "No module named"),
        (f"{__name__}:Nothing.f", "has no attribute 'Nothing'"),
        (f"{__name__}:Tree.missing", "'missing' is not a function"),
        (f"{__name__}:HAVE_VALGRIND.*", "'*' names the methods of a class"),
    ],
)
def test_bad_targets_are_refused(target: str, said: str) -> None:
    with pytest.raises(ValueError) as err:
        subtree.resolve(target)
    assert said in str(err.value)


def test_the_cli_refuses_a_bad_target_before_counting(capsys: pytest.CaptureFixture[str]) -> None:
    if not HAVE_VALGRIND:
        pytest.skip("the valgrind check comes first")
    with pytest.raises(SystemExit) as done:
        subtree.main(["nosuch:f"])
    assert done.value.code == 2
    assert "No module named 'nosuch'" in capsys.readouterr().err


def test_a_missing_valgrind_is_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert subtree.main([f"{__name__}:Tree.walk"]) == 1
    assert "valgrind is not installed" in capsys.readouterr().err


def test_a_helper_that_does_not_compile_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subtree, "HELPER", "this is not C")
    with pytest.raises(CountError, match="did not compile"):
        subtree.build_helper(tmp_path)


@counted_here
def test_the_epoch_is_part_of_a_day() -> None:
    out: dict[str, Any] = subtree.measure(
        ["apprm_ref.sim.oracle.transactions:Transactions._epoch"], 1, 1, 1
    )
    # measured on 4 Dec 2026: 14.5 M of the database's second day (about 60 M in all)
    assert 3_000_000 < out["instructions_per_db_day"] < 40_000_000
    assert out["sessions"] == 9  # two days of the schedule, with the day's restore
