"""pairdisplay / pairvolchk text: exactly the reference samples, and format -> parse gives
back the same values (the simulator prints, the real driver's parser reads)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprm_ref.real.xp_cci_text import EXIT_CODES, PairRow, parse_pairdisplay, parse_pairvolchk
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci.formats import Row, format_row, pairdisplay_text, pairvolchk_line

# Captured output: ``pairdisplay -IBC6 -g vgdbRPS -fcx`` before and after ``pairsplit``
# (gdha, BC-exec.sh documentation "BC-exec.sh Workflows in action", 2016) and
# ``pairdisplay -l -fd -CLI`` of a TrueCopy group (pastebin.com/FJqYmfxh, 2012).
BCEXEC_SPLIT = """\
Group   PairVol(L/R) (Port#,TID, LU-M) ,Seq#,LDEV#.P/S,Status,   % ,P-LDEV# M
vgdbRPS 40:06_40:4b(L) (CL1-A-3, 3,   7-0 )85827  404b.S-VOL SSUS,  100    4006 -
vgdbRPS 40:06_40:4b(R) (CL1-A-1, 0,   4-0 )85827  4006.P-VOL PSUS,  100    404b W
vgdbRPS 40:07_40:4c(L) (CL1-A-3, 4,   0-0 )85827  404c.S-VOL SSUS,  100    4007 -
vgdbRPS 40:07_40:4c(R) (CL1-A-1, 0,   5-0 )85827  4007.P-VOL PSUS,  100    404c W
"""
BCEXEC_PAIR = """\
Group   PairVol(L/R) (Port#,TID, LU-M) ,Seq#,LDEV#.P/S,Status,   % ,P-LDEV# M
vgdbRPS 40:06_40:4b(L) (CL1-A-3, 3,   7-0 )85827  404b.S-VOL PAIR,   99    4006 -
vgdbRPS 40:06_40:4b(R) (CL1-A-1, 0,   4-0 )85827  4006.P-VOL PAIR,   99    404b -
"""
TC_FD_CLI = """\
Group PairVol L/R Device_File Seq# LDEV# P/S Status Fence Seq# P-LDEV# M
TC_SCC02_01 TCDEV01 L Harddisk2 29806 11093 S-VOL PAIR NEVER - 11093 -
"""


def _bc(dev, lr, port, tid, lu, ldev, ps, status, pct, pldev, m="-"):  # type: ignore[no-untyped-def]
    return Row("vgdbRPS", dev, lr, port, tid, lu, 0, 85827, ldev, ps, status, None, pct, pldev, m)


@pytest.mark.rule("WIRE-I3")
def test_pairdisplay_fcx_is_byte_for_byte_the_captured_split() -> None:
    rows = [
        _bc("40:06_40:4b", "L", "CL1-A-3", 3, 7, 0x404B, "S-VOL", "SSUS", 100, 0x4006),
        _bc("40:06_40:4b", "R", "CL1-A-1", 0, 4, 0x4006, "P-VOL", "PSUS", 100, 0x404B, "W"),
        _bc("40:07_40:4c", "L", "CL1-A-3", 4, 0, 0x404C, "S-VOL", "SSUS", 100, 0x4007),
        _bc("40:07_40:4c", "R", "CL1-A-1", 0, 5, 0x4007, "P-VOL", "PSUS", 100, 0x404C, "W"),
    ]
    assert pairdisplay_text(rows, tc=False, fc=True, hexa=True) == BCEXEC_SPLIT
    rows = [
        _bc("40:06_40:4b", "L", "CL1-A-3", 3, 7, 0x404B, "S-VOL", "PAIR", 99, 0x4006),
        _bc("40:06_40:4b", "R", "CL1-A-1", 0, 4, 0x4006, "P-VOL", "PAIR", 99, 0x404B),
    ]
    assert pairdisplay_text(rows, tc=False, fc=True, hexa=True) == BCEXEC_PAIR
    assert [r.m for r in parse_pairdisplay(BCEXEC_SPLIT, hexa=True)] == ["-", "W", "-", "W"]


@pytest.mark.rule("WIRE-I3")
def test_pairdisplay_fd_cli_is_byte_for_byte_the_captured_truecopy_line() -> None:
    row = Row("TC_SCC02_01", "TCDEV01", "L", None, None, None, None, 29806, 11093, "S-VOL",
              "PAIR", None, None, 11093, "-", "NEVER", device="Harddisk2")  # fmt: skip
    assert pairdisplay_text([row], tc=True, cli=True, fd=True) == TC_FD_CLI


SAMPLES = [
    (
        Row("ORA_BC", "data01", "L", "CL1-A-0", 0, 16, 0, 64123, 272, "P-VOL", "PAIR", 64123, None, 288),
        {},
        "ORA_BC  data01(L)    (CL1-A-0, 0,  16-0 )64123   272.P-VOL PAIR,64123     288 -",
    ),
    (
        Row("ORA_BC", "data01", "R", "CL1-A-0", 0, 32, 0, 64123, 288, "S-VOL", "PAIR", None, None, 272),
        {},
        "ORA_BC  data01(R)    (CL1-A-0, 0,  32-0 )64123   288.S-VOL PAIR,-----     272 -",
    ),
    (
        Row("ORA_CA", "data01", "L", "CL1-A-3", 0, 7, None, 64123, 272, "P-VOL", "PAIR", 64999, None, 272, "-", "NEVER"),
        {},
        "ORA_CA  data01(L)    (CL1-A-3, 0,  7)64123   272.P-VOL PAIR NEVER ,64999    272 -",
    ),
    (
        Row("ORA_BC", "data01", "L", "CL1-A-0", 0, 16, 0, 64123, 272, "P-VOL", "PAIR", 64123, None, 288),
        {"cli": True},
        "ORA_BC data01 L CL1-A-0 0 16 0 64123 272 P-VOL PAIR 64123 288 -",
    ),
    (
        Row("ORA_CA", "data01", "L", "CL5-E-3", 0, 26, None, 64999, 0x6A6, "S-VOL", "PAIR", None, 0, 0x5A6, "-", "ASYNC"),
        {"cli": True, "fc": True, "hexa": True},
        "ORA_CA data01 L CL5-E-3 0 26 64999 6a6 S-VOL PAIR ASYNC 0 5a6 -",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("row", "opts", "text"), SAMPLES)
def test_rows_match_reference_samples(row: Row, opts: dict, text: str) -> None:
    assert format_row(row, **opts) == text


def _same(row: Row, parsed: PairRow, fc: bool) -> None:
    want = dataclasses.asdict(row)
    want.pop("device")
    want.pop("ext")  # -fe columns: the real driver does not read them
    got = dataclasses.asdict(parsed)
    if fc:
        want["partner_serial"] = None
    else:
        want["percent"] = None
    if row.ps == "SMPL":
        for k in ("partner_serial", "percent", "partner_ldev"):
            want[k] = None
        want["m"] = "-"
    assert got == want


_name = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,9}", fullmatch=True)


@st.composite
def rows(draw):  # type: ignore[no-untyped-def]
    tc = draw(st.booleans())
    ps = draw(st.sampled_from(["P-VOL", "S-VOL", "SMPL"]))
    smpl = ps == "SMPL"
    path = draw(st.booleans())
    return Row(
        group=draw(_name),
        dev=draw(_name),
        lr=draw(st.sampled_from("LR")),
        port=draw(st.from_regex(r"CL[1-8]-[A-H]-[0-9]{1,2}", fullmatch=True)) if path else None,
        tid=draw(st.integers(0, 15)) if path else None,
        lu=draw(st.integers(0, 2047)) if path else None,
        mu=None if tc else draw(st.integers(0, 2)),
        serial=draw(st.integers(10000, 99999)),
        ldev=draw(st.integers(0, 0xFFFF)),
        ps=ps,
        status=None if smpl else draw(st.sampled_from(["COPY", "PAIR", "PSUS", "SSUS", "PSUE", "RCPY"])),
        partner_serial=None if smpl or ps == "S-VOL" else draw(st.integers(10000, 99999)),
        percent=None if smpl else draw(st.integers(0, 100)),
        partner_ldev=None if smpl else draw(st.integers(0, 0xFFFF)),
        m="-" if smpl else draw(st.sampled_from("-WN")),
        fence=draw(st.sampled_from(["NEVER", "DATA", "ASYNC"])) if tc and not smpl else ("-" if tc else None),
    )  # fmt: skip


@given(st.lists(rows(), min_size=1, max_size=4), st.booleans(), st.booleans(), st.booleans())
def test_format_then_parse_gives_the_same_values(rs, fc: bool, hexa: bool, cli: bool) -> None:
    tc = rs[0].mu is None
    rs = [dataclasses.replace(r, mu=None if tc else (r.mu or 0)) for r in rs]
    rs = [
        dataclasses.replace(r, fence=(r.fence if r.ps != "SMPL" else None) if tc else None)
        for r in rs
    ]
    text = pairdisplay_text(rs, tc=tc, fc=fc, hexa=hexa, cli=cli)
    parsed = parse_pairdisplay(text, hexa=hexa)
    assert len(parsed) == len(rs)
    for row, got in zip(rs, parsed, strict=True):
        if row.ps == "SMPL" and tc and not cli:
            got = dataclasses.replace(got, fence=None)
        _same(row, got, fc)


@pytest.mark.parametrize(
    ("attr", "status", "fence"),
    [
        ("P-VOL", "PAIR", None),
        ("S-VOL", "SSUS", None),
        ("P-VOL", "PAIR", "NEVER"),
        ("SMPL", None, None),
    ],
)
def test_pairvolchk_round_trip(attr: str, status: str | None, fence: str | None) -> None:
    line = pairvolchk_line(attr, status, fence=fence)
    assert parse_pairvolchk(line) == (attr, status, fence)


def test_pairvolchk_reference_lines() -> None:
    assert pairvolchk_line("P-VOL", "PAIR") == "pairvolchk : Volstat is P-VOL.[status = PAIR ]"
    assert parse_pairvolchk("pairvolchk : Volstat is P-VOL.[status = PAIR CTGID = 1]") == (
        "P-VOL",
        "PAIR",
        None,
    )


def test_exit_code_tables_agree() -> None:
    assert EXIT_CODES == xe.EXIT_CODES
