"""``pairdisplay -fe``: the extended columns RAID Manager appends after ``M``.

Column set, order and geometry follow a captured TrueCopy/GAD ``pairdisplay -fce`` of a
recent RAID Manager (aurimaslt/GADmanager, ``GAD manager.py``, ``show_example``): each
column right- or left-aligned under its header word, the row's trailing blanks dropped.
The ``-CLI`` token order is the one ``pairdisplay -fxe -CLI -l`` prints in
alex-andrukovich/generate_horcm_by_ctgs (its captured rows: CTG at token 14, R/W at 20).
Only the columns the door can know carry values; see docs/xp.md for the inferred ones.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# (header word, width, right-aligned); the last column is written unpadded
COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("CTG", 3, True), ("JID", 3, True), ("AP", 2, True), ("EM", 2, True),
    ("E-Seq#", 12, True), ("E-LDEV#", 7, True), ("R/W", 3, False), ("QM", 2, False),
    ("DM", 2, False), ("P", 1, False), ("PR", 2, False), ("CS", 2, True),
    ("D_Status", 8, False), ("ST", 2, True), ("ELV", 3, False), ("PGID", 4, True),
    ("CT(s)", 15, True), ("LUT", 3, False),
)  # fmt: skip


@dataclass(frozen=True)
class Ext:
    """Values of the extended columns of one row; ``-`` is RAID Manager's "none"."""

    ctg: str = "-"  # consistency group
    jid: str = "-"  # journal ID (GAD: quorum ID)
    ap: str = "-"  # active paths of the remote link; "-" = unknown
    em: str = "-"  # external volume mode
    eseq: str = "-"  # serial of the external LUN mapped to the LDEV
    eldev: str = "-"  # LDEV of that external LUN
    rw: str = "-/-"  # GAD I/O mode; "-/-" on a non-GAD pair
    qm: str = "-"
    dm: str = "-"
    p: str = "-"
    pr: str = "-"
    cs: str = "-"  # copy pace
    d_status: str = "-"
    st: str = "-"
    elv: str = "-"
    pgid: str = "-"
    ct: str = "-"
    lut: str = "-"

    def values(self) -> list[str]:
        return [getattr(self, f.name) for f in fields(self)]


def _cell(text: str, width: int, right: bool) -> str:
    return f"{text:>{width}}" if right else f"{text:<{width}}"


def ext_header() -> str:
    """What ``-fe`` appends to the header line after ``M``."""
    return "".join(" " + _cell(n, w, r) for n, w, r in COLUMNS).rstrip()


def ext_suffix(ext: Ext) -> str:
    """What ``-fe`` appends to a row after its ``M`` column."""
    cells = zip(ext.values(), COLUMNS, strict=True)
    return "".join(" " + _cell(v, w, r) for v, (_, w, r) in cells).rstrip()


def ext_cli_header() -> str:
    return " ".join(n for n, _, _ in COLUMNS)


def ext_cli_tokens(ext: Ext) -> list[str]:
    return ext.values()
