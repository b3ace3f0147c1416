"""REL-I4 for the CCI door: random RAID Manager command lines against a saved lab never
raise, every failure exits with a real ``EX_*`` code and names it on stderr, and a refused
command leaves the lab (``world.json`` and the HORCM state) byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprm_ref.doors.cci import main
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci.commands import WAIT_OUTCOMES

HERE = Path(__file__).resolve().parents[1] / "unit" / "sim" / "xp"
COMMANDS = [
    "paircreate", "pairsplit", "pairresync", "pairdisplay", "pairvolchk", "pairevtwait",
    "pairsyncwait", "raidscan", "raidqry", "raidcom", "inqraid", "horcmgr",
]  # fmt: skip
TOKENS = [
    "-g", "ORA_BC", "ORA_B1", "NOPE", "-d", "data01", "64123", "272", "0x110", "01:10", "0",
    "h1", "-dg", "-vl", "-vr", "-c", "16", "3", "-split", "-S", "-E", "-R", "-r", "-rw",
    "-fq", "quick", "bogus", "-restore", "-swaps", "-CLI", "-fcx", "-fd", "-fe", "-m", "all",
    "-v", "jnl", "-l", "-s", "-ss", "pair", "psus", "ssus", "smpl", "copy", "-t", "1e300",
    "-1", "99999999999", "600", "1", "-nowait", "-nowaits", "-nomsg", "-IBC", "-ICA", "-IM0",
    "-IH1", "-I6", "-I99999", "-ISI1", "-h", "-p", "CL1-A", "get", "ldev", "-ldev_id",
    "-cnt", "70000", "-check", "", "\u00e9", "-", "--",
]  # fmt: skip
_DIR = tempfile.mkdtemp(prefix="cci-fuzz-")


def _template() -> Path:
    import sys

    sys.path.insert(0, str(HERE))
    from xp_helpers import CONF0, CONF1, cci_world, store_lab

    home = Path(_DIR) / "template"
    if not home.exists():
        home.mkdir()
        world, _, r = cci_world()
        r.run(["paircreate", "-g", "ORA_BC", "-vl"])  # a lab with pairs in COPY
        (home / "horcm0.conf").write_text(CONF0)
        (home / "horcm1.conf").write_text(CONF1)
        store_lab(home, world)
    return home


def _snapshot(home: Path) -> dict[str, object]:
    """The stored world, its generation and the HORCM files (the SQLite file's own bytes
    move with WAL checkpoints, so the world is compared as the store gives it back)."""
    from xp_helpers import lab_state

    return lab_state(home)


@pytest.mark.rule("REL-I4")
@pytest.mark.rule("WIRE-I2")
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=st.sampled_from(COMMANDS),
    words=st.lists(st.sampled_from(TOKENS), max_size=7),
    env=st.fixed_dictionaries(
        {
            "HORCMINST": st.sampled_from(["0", "1", "7", "x"]),
            "HORCC_MRCF": st.sampled_from(["1", ""]),
        }
    ),
)
def test_refused_command_lines_change_nothing(command, words, env, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    home = Path(tempfile.mkdtemp(dir=_DIR))
    shutil.copytree(_template(), home, dirs_exist_ok=True)
    for k, v in {"APPRM_HOME": str(home), **env}.items():
        monkeypatch.setenv(k, v)
    before = _snapshot(home)
    rc = main([command, *words])
    out, err = capsys.readouterr()
    assert isinstance(rc, int) and "Traceback" not in out + err
    if rc > 127:
        assert rc in set(xe.EXIT_CODES.values()), rc
        names = {v: k for k, v in xe.EXIT_CODES.items()}
        assert f"[{names[rc]}]" in err, err
        if rc not in WAIT_OUTCOMES:
            assert _snapshot(home) == before, f"{command} {words} changed the lab ({rc})"
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.rule("REL-I4")
def test_timeout_beyond_the_limit_is_refused_and_saves_nothing(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """The measured defect: ``pairevtwait -t 1e300`` saved the clock at 1e300."""
    home = Path(tempfile.mkdtemp(dir=_DIR))
    shutil.copytree(_template(), home, dirs_exist_ok=True)
    monkeypatch.setenv("APPRM_HOME", str(home))
    monkeypatch.setenv("HORCMINST", "0")
    monkeypatch.setenv("HORCC_MRCF", "1")
    before = _snapshot(home)
    for t, rc in (("1e300", 253), ("2000000", 253), ("3.5", 253), ("-5", 254)):
        assert main(["pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", t]) == rc
        assert _snapshot(home) == before
    assert "out of range 0..1999999" in capsys.readouterr().err
    assert main(["pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "600"]) == 0
    assert main(["pairdisplay", "-g", "ORA_BC", "-CLI"]) == 0
    assert "P-VOL PAIR" in capsys.readouterr().out
    shutil.rmtree(home, ignore_errors=True)


def teardown_module() -> None:
    shutil.rmtree(_DIR, ignore_errors=True)
    os.environ.pop("APPRM_HOME", None)
