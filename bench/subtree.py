"""``python -m bench.subtree [--databases N] [--first-day A] [--days D] [--json] TARGET...``

Instructions spent inside named functions per database-day of days A to A+D: where
``bench.instructions`` says what a day costs, this says which part of the code costs it.
A TARGET is ``module:Qualname`` (``apprm_ref.sim.oracle.redo:Redo.switch_log``) or
``module:Class.*`` (every public method of the class, inherited ones included); several
targets are counted together, a call inside another counted call once. A module's
function is counted wherever it was imported by name (``from m import f``).

How: callgrind counts only while collection is on (``--collect-atstart=no``), and each
target is wrapped so that collection is switched on when the outermost counted call starts
and off when it returns. The switch is valgrind's ``CALLGRIND_TOGGLE_COLLECT`` client
request, made by a one-function C helper compiled into a temporary directory at start
(``callgrind.h`` comes with valgrind). As in ``bench.instructions`` the window is the
difference of an A-day run and an (A+D)-day run, both after the same warm-up estate.
Whatever a counted call triggers is charged to it, a garbage collection included, so the
collector is off in these runs (counted the same with it on: within 0.1 % for the
workload epoch). A target must be an ordinary function: a generator's body runs after
the call returns, so it would not be counted.

Measured on 4 Dec 2026 (4 databases, days 1-6, code at 8b9356d; the whole day 43.3 M):
the workload epoch 12.6 M, of which DBWR 4.8 M; the log switches 7.1 M, of which ARCn
3.3 M; the IDB's public calls 9.4 M; host file writes 6.6 M, of which the EVA's and
the XP's block writes 3.2 M and 2.2 M.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.instructions import CountError, _pair, add_window_args, check_valgrind, run_counted

HELPER = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <valgrind/callgrind.h>
static PyObject *toggle(PyObject *self, PyObject *unused)
{
    CALLGRIND_TOGGLE_COLLECT;
    Py_RETURN_NONE;
}
static PyMethodDef methods[] = {{"toggle", toggle, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cgtoggle", "", -1, methods};
PyMODINIT_FUNC PyInit__cgtoggle(void) { return PyModule_Create(&module); }
"""

_RUN = (
    "import gc, json, os, sys; sys.path.insert(0, {helper!r}); gc.disable(); "
    "from bench.subtree import count_inside; count_inside({targets!r}); "
    "from bench.harness import BenchConfig, run_estate; "
    "run_estate(BenchConfig(days=8, databases=1, check_invariants=False, gc_tuned=False)); "
    "o = run_estate(BenchConfig(days={days}, databases={databases}, check_invariants=False, "
    "gc_tuned=False)); print(json.dumps({{'sessions': o['sessions']}})); "
    "sys.stdout.flush(); os._exit(0)"
)


def resolve(target: str) -> list[tuple[Any, str]]:
    """(owner, attribute name) of every function a TARGET names; ValueError if none."""
    module_name, sep, qualname = target.partition(":")
    if not sep or not module_name or not qualname:
        raise ValueError(f"{target!r}: expected module:Qualname")
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{target!r}: {exc}") from None
    *path, last = qualname.split(".")
    for part in path:
        if not hasattr(owner, part):
            raise ValueError(f"{target!r}: {owner!r} has no attribute {part!r}")
        owner = getattr(owner, part)
    if last == "*":
        if not isinstance(owner, type):
            raise ValueError(f"{target!r}: '*' names the methods of a class")
        names = [n for n in dir(owner) if not n.startswith("_") and callable(getattr(owner, n))]
        return [(owner, n) for n in names]
    if not callable(getattr(owner, last, None)):
        raise ValueError(f"{target!r}: {last!r} is not a function of {owner!r}")
    return [(owner, last)]


def count_inside(targets: list[str]) -> None:
    """Wrap every function the targets name so that callgrind collects inside them."""
    import _cgtoggle  # type: ignore[import-not-found]  # built by build_helper

    depth = [0]

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0:
                _cgtoggle.toggle()
            depth[0] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    _cgtoggle.toggle()

        return counted

    for target in targets:
        for owner, name in resolve(target):
            original = getattr(owner, name)
            counted = wrap(original)
            setattr(owner, name, counted)
            if not isinstance(owner, type):  # a module's function: ``from m import f`` too
                for module in list(sys.modules.values()):
                    names = getattr(module, "__dict__", {})
                    for alias in [k for k, v in names.items() if v is original]:
                        setattr(module, alias, counted)


def build_helper(into: Path) -> None:
    """Compile the toggle helper into ``into`` with the interpreter's own compiler."""
    import subprocess

    src = into / "_cgtoggle.c"
    src.write_text(HELPER)
    cc = (sysconfig.get_config_var("CC") or "cc").split()
    out = into / f"_cgtoggle{sysconfig.get_config_var('EXT_SUFFIX')}"
    include = sysconfig.get_paths()["include"]
    cmd = [*cc, "-shared", "-fPIC", "-O1", f"-I{include}", str(src), "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-3:])
        raise CountError(f"the callgrind toggle helper did not compile: {tail}")


def measure(targets: list[str], databases: int, first_day: int, days: int) -> dict[str, Any]:
    """Instructions per database-day inside ``targets`` during days A .. A+D."""
    check_valgrind()
    if databases < 1 or first_day < 1 or days < 1:
        raise ValueError("databases, first_day and days must be at least 1")
    for target in targets:
        resolve(target)  # a bad target is refused before anything is counted
    with tempfile.TemporaryDirectory(prefix="apprm-subtree-") as tmp:
        build_helper(Path(tmp))
        code = [
            _RUN.format(helper=tmp, targets=targets, days=d, databases=databases)
            for d in (first_day, first_day + days)
        ]
        (i0, _), (i1, r1) = _pair(*code, options=("--collect-atstart=no",))
    return {
        "targets": targets,
        "databases": databases,
        "first_day": first_day,
        "days": days,
        "instructions_per_db_day": round((i1 - i0) / days / databases),
        "sessions": r1["sessions"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.subtree", description=__doc__)
    ap.add_argument("targets", nargs="+", metavar="TARGET")
    add_window_args(ap)
    return run_counted(ap, argv, lambda a: measure(a.targets, a.databases, a.first_day, a.days), 24)


if __name__ == "__main__":
    sys.exit(main())
