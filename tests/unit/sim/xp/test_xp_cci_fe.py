"""``pairdisplay -fe`` (WIRE-I3): the extended columns, byte-compared to public samples.

Samples:
* aurimaslt/GADmanager, ``GAD manager.py`` (``show_example``): a captured
  ``pairdisplay -fce`` of a TrueCopy/GAD group, header and rows (serials 445329/445317,
  LDEV 6001). The door's base columns keep the layout of the older captures formats.py
  cites (3-wide LU, 7-wide P-LDEV#), so the bytes compared here are the header line
  through ``P-LDEV# M`` plus the columns ``-fe`` appends, and each row's appended columns.
* alex-andrukovich/generate_horcm_by_ctgs, ``generate_horcm_by_ctgs.py`` (comments at the
  end): rows of ``pairdisplay -fxe -CLI -l`` split on blanks (serials 560311/540491/533610,
  LDEVs c8/c9), whose script reads CTG at token 14 and the GAD mode at token 20.
"""

from __future__ import annotations

import pytest
from test_xp_ca import CONF_A, CONF_B, PV, two_arrays
from xp_helpers import run_to

from apprm_ref.sim.xp.cci.formats import TC_HEADER_FC, Row, format_row
from apprm_ref.sim.xp.cci.formats_ext import Ext, ext_cli_tokens, ext_header, ext_suffix
from apprm_ref.sim.xp.cci.runner import SimCciRunner

GAD_HEADER = (
    "Group   PairVol(L/R) (Port#,TID, LU),Seq#,LDEV#.P/S,Status,Fence,   %,P-LDEV# M CTG JID"
    " AP EM       E-Seq# E-LDEV# R/W QM DM P PR CS D_Status ST ELV PGID           CT(s) LUT"
)
GAD_ROWS = (
    "HDID    GAD_TEST_HA(L) (CL8-F-8, 0,   5)445329  6001.P-VOL PSUS NEVER ,  100  6001 -"
    "   -   0  4  -            -       - B/B -  D  N D   3 -         - -      -"
    "               - -",
    "HDID    GAD_TEST_HA(R) (CL8-F-12, 0,   5)445317  6001.S-VOL SSWS NEVER ,  100  6001 -"
    "   -   0  4  -            -       - L/L -  D  N D   3 -         - -      -"
    "               - -",
)
GAD_EXT = {"jid": "0", "ap": "4", "dm": "D", "p": "N", "pr": "D", "cs": "3"}
# generate_horcm_by_ctgs.py: a GAD P-VOL (NEVER) and a Universal Replicator P-VOL (ASYNC)
CLI_GAD = ["discover_remote", "discover_remote_c8_0", "L", "CL7-A-10", "1", "0", "560311",
           "c8", "P-VOL", "PAIR", "NEVER", "540491", "c8", "-", "22", "0", "-", "-", "-", "-",
           "L/M", "-", "-", "N", "-"]  # fmt: skip
CLI_UR = ["discover_remote", "discover_remote_c9_h2", "L", "CL1-A-1", "1", "0", "560311",
          "c9", "P-VOL", "PAIR", "ASYNC", "533610", "c9", "-", "7", "6", "-", "-", "-", "-",
          "-/-", "-", "-", "N", "-"]  # fmt: skip


@pytest.mark.rule("WIRE-I3")
def test_the_extended_columns_match_the_captured_fce_output() -> None:
    assert TC_HEADER_FC + ext_header() == GAD_HEADER
    for row, rw in zip(GAD_ROWS, ("B/B", "L/L"), strict=True):
        tail = row[row.index("  6001 -") + len("  6001 -") :]
        assert ext_suffix(Ext(rw=rw, **GAD_EXT)) == tail


def _cli_row(tokens: list[str], fence: str) -> Row:
    return Row(
        group=tokens[0], dev=tokens[1], lr="L", port=tokens[3], tid=int(tokens[4]),
        lu=int(tokens[5]), mu=None, serial=int(tokens[6]), ldev=int(tokens[7], 16),
        ps="P-VOL", status="PAIR", partner_serial=int(tokens[11]),
        partner_ldev=int(tokens[12], 16), fence=fence,
    )  # fmt: skip


@pytest.mark.rule("WIRE-I3")
def test_the_cli_extended_tokens_sit_where_the_public_script_reads_them() -> None:
    for sample, fence, ext in (
        (CLI_GAD, "NEVER", Ext(ctg="22", jid="0", rw="L/M", p="N")),
        (CLI_UR, "ASYNC", Ext(ctg="7", jid="6", p="N")),
    ):
        base = format_row(_cli_row(sample, fence), hexa=True, cli=True).split()
        tokens = base + ext_cli_tokens(ext)
        assert tokens[: len(sample)] == sample  # the newer columns CS..LUT follow
        assert len(tokens) == len(sample) + 7


def _ca_runner() -> SimCciRunner:
    world, a, _ = two_arrays()
    r = SimCciRunner(world, {0: CONF_A, 1: CONF_B}, {"HORCMINST": "0"})
    assert r.run(["paircreate", "-g", "ORA_CA", "-vl", "-f", "never"])[0] == 0
    run_to(world, world.now() + 600)
    assert a.pair_state(PV, -1) == "PAIR"
    return r


@pytest.mark.rule("WIRE-I3")
def test_the_door_prints_the_extended_columns_of_its_truecopy_pairs() -> None:
    r = _ca_runner()
    rc, out, _ = r.run(["pairdisplay", "-g", "ORA_CA", "-fce"])
    lines = out.splitlines()
    assert rc == 0 and lines[0] == GAD_HEADER and len(lines) == 3
    tail = "   -   -  -  -            -       - -/- -  -  N -   - -         - -      -               - -"
    assert (
        lines[1]
        == "ORA_CA  data01(L)    (-, -,  -)64123   272.P-VOL PAIR NEVER ,  100    528 -" + tail
    )
    assert lines[2].startswith("ORA_CA  data01(R)") and lines[2].endswith(
        " 528.S-VOL PAIR NEVER ,  100    272 -" + tail
    )
    plain = r.run(["pairdisplay", "-g", "ORA_CA", "-fe"])[1].splitlines()
    assert plain[0].endswith(",Seq#,P-LDEV# M" + ext_header())
    assert plain[1].endswith(",64999    528 -" + tail)
    cli = r.run(["pairdisplay", "-g", "ORA_CA", "-fxe", "-CLI", "-l"])[1].splitlines()
    assert len(cli) == 2 and cli[0].split()[13:16] == ["M", "CTG", "JID"]
    row = cli[1].split()
    assert row[6:13] == ["64123", "110", "P-VOL", "PAIR", "NEVER", "64999", "210"]
    assert row[13:] == ["-", "-", "-", "-", "-", "-", "-", "-/-", "-", "-", "N", "-"] + ["-"] * 7
    without = r.run(["pairdisplay", "-g", "ORA_CA", "-fx", "-CLI", "-l"])[1].splitlines()
    assert without[1].split() == row[:14]  # -fe really adds the columns, nothing else moves


@pytest.mark.rule("WIRE-I3")
@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["pairdisplay", "-g", "ORA_CA", "-fde"], "-fd together with -fc or -fe"),
        (["pairdisplay", "-g", "ORA_CA", "-fe", "-IM"], "Business Copy (MRCF)"),
    ],
)
def test_fe_forms_without_a_sample_are_refused(argv: list[str], why: str) -> None:
    r = _ca_runner()
    rc, out, err = r.run(argv)
    assert (rc, out) == (252, "") and "[EX_UNWOPT]" in err and why in err
