"""Plain data of the XP simulator: LDEVs, host groups with LUN paths, and pairs.

Pair states use the Remote Web Console names of arrays.md 3.2 (``COPY(PD)``, ``COPY(SP)``,
``PSUS(SP)``, ``COPY(RS)``, ``COPY(RS-R)`` ...); :func:`cci_status` maps them to the names
RAID Manager prints (``COPY``, ``RCPY``, ``PSUS``/``SSUS`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apprm_ref.persist import persistable
from apprm_ref.sim.storage import VolumeData

SMPL = "SMPL"
COPY_PD = "COPY(PD)"
PAIR = "PAIR"
COPY_SP = "COPY(SP)"
PSUS_SP = "PSUS(SP)"
PSUS = "PSUS"
COPY_RS = "COPY(RS)"
COPY_RS_R = "COPY(RS-R)"
PSUE = "PSUE"

STATES = (SMPL, COPY_PD, PAIR, COPY_SP, PSUS_SP, PSUS, COPY_RS, COPY_RS_R, PSUE)
# States in which the S-VOL follows its P-VOL (reads of the S-VOL see the P-VOL).
MIRRORING = frozenset({COPY_PD, PAIR, COPY_RS})
# States in which difference bitmaps record changed tracks (the S-VOL holds its own data).
TRACKING = frozenset({COPY_SP, PSUS_SP, PSUS, PSUE})
# States with a background copy that ends in one completion event.
TRANSIENT = frozenset({COPY_PD, COPY_SP, PSUS_SP, COPY_RS, COPY_RS_R})
# S-VOL host writes allowed only here (ARR-I10).
SVOL_WRITABLE = frozenset({PSUS, PSUS_SP})

# Legal moves of arrays.md 3.3 (ARR-I10); (from, to). SMPL -> x is paircreate.
TRANSITIONS = frozenset(
    {
        (SMPL, COPY_PD),
        (COPY_PD, PAIR),
        (COPY_PD, PSUS),  # paircreate -split
        (PAIR, COPY_SP),
        (PAIR, PSUS_SP),
        (COPY_SP, PSUS),
        (PSUS_SP, PSUS),
        (PSUS, COPY_RS),
        (PSUS_SP, COPY_RS),  # RAID Manager shows PSUS(SP) as PSUS: resync is accepted
        (PSUS_SP, COPY_RS_R),
        (PSUE, COPY_RS),
        (COPY_RS, PAIR),
        (PSUS, COPY_RS_R),
        (COPY_RS_R, PAIR),
        *((s, PSUE) for s in (COPY_PD, PAIR, COPY_SP, PSUS_SP, PSUS, COPY_RS, COPY_RS_R)),
        *((s, SMPL) for s in (COPY_PD, PAIR, COPY_SP, PSUS, COPY_RS, COPY_RS_R, PSUE)),
    }
)

_CCI = {
    SMPL: "SMPL",
    COPY_PD: "COPY",
    PAIR: "PAIR",
    COPY_SP: "COPY",
    PSUS_SP: "PSUS",
    PSUS: "PSUS",
    COPY_RS: "COPY",
    COPY_RS_R: "RCPY",
    PSUE: "PSUE",
}


def cci_status(state: str, side: str = "P") -> str:
    """RAID Manager status of a pair state seen from the P-VOL or S-VOL side."""
    name = _CCI[state]
    if side == "S" and name == "PSUS":
        return "SSUS"
    return name


def ldev_id(number: int) -> str:
    """LDEV number -> ``CU:LDEV`` (``272`` -> ``01:10``)."""
    if not 0 <= number <= 0xFFFF:
        raise ValueError(f"LDEV number {number} out of range")
    return f"{number >> 8:02X}:{number & 0xFF:02X}"


def ldev_number(text: str) -> int:
    """``01:10``, ``0x110`` or ``272`` -> 272."""
    t = text.strip()
    if ":" in t:
        cu, _, ld = t.partition(":")
        cu_n, ld_n = int(cu, 16), int(ld, 16)
        if not (0 <= cu_n <= 0xFF and 0 <= ld_n <= 0xFF):
            raise ValueError(f"bad CU:LDEV {text!r}")
        return cu_n * 256 + ld_n
    n = int(t, 16) if t.lower().startswith("0x") else int(t)
    if not 0 <= n <= 0xFFFF:
        raise ValueError(f"LDEV number {text!r} out of range")
    return n


@persistable("xp.Ldev")
@dataclass(eq=False)
class Ldev:
    id: str  # CU:LDEV
    data: VolumeData
    parity_group: str = "1-1"
    raid: str = "raid5"
    emulation: str = "OPEN-V"
    reserved: bool = False  # S-VOL candidate: refuses host I/O while SMPL
    snapshot_xp_pvol: bool = False  # also a Snapshot XP P-VOL (quick restore refused)
    inconsistent: bool = False  # a restore into it was aborted part-way (ARR-P14)
    ca_primary: str = ""  # "array/pvol" when this LDEV is the S-VOL of a CA pair

    @property
    def number(self) -> int:
        return ldev_number(self.id)


@persistable("xp.HostGroup")
@dataclass
class HostGroup:
    port: str  # CL1-A
    gid: int  # host group number on that port
    name: str
    hosts: list[str] = field(default_factory=list)
    luns: dict[int, str] = field(default_factory=dict)  # LUN -> LDEV id

    @property
    def key(self) -> str:
        return f"{self.port}-{self.gid}"


@persistable("xp.Pair")
@dataclass(eq=False)
class Pair:
    """A BC pair (P-VOL, MU#) or, with ``kind == "CA"``, a Continuous Access pair."""

    pvol: str
    mu: int  # 0..2 for BC; -1 for CA (RAID Manager shows no MU for TrueCopy)
    svol: str
    kind: str = "BC"
    svol_array: str = ""  # CA: name of the remote array holding the S-VOL
    state: str = SMPL
    pdiff: set[int] = field(default_factory=set)  # P-VOL tracks changed since the split
    sdiff: set[int] = field(default_factory=set)  # S-VOL tracks changed since the split
    pace: int = 3
    created_at: float = 0.0
    split_at: float | None = None
    split_generation: int = 0  # the array's serial number of the last split (0: never split)
    copy_started_at: float | None = None
    copy_tracks: int = 0  # tracks the running (or last) copy moves
    copy_done_at: float | None = None
    next_state: str = ""  # where the running copy ends
    abort_at: float | None = None  # a restore that will fail part-way (fault)
    pre_restore: VolumeData | None = None  # P-VOL content before an aborting restore
    swap_freeze: bool = False  # quick restore with Swap&Freeze: S-VOL keeps old P-VOL data
    svol_rw: bool = True  # CA: S-VOL writable after the split (pairsplit -rw)
    gen: int = 0  # bumped at each state change; stale completion events are ignored
    copies: int = 0  # how many copies ran (tests and traces)

    def __post_load__(self) -> None:
        self.pdiff = set(self.pdiff)
        self.sdiff = set(self.sdiff)

    @property
    def key(self) -> str:
        return pair_key(self.pvol, self.mu)

    def fraction(self, now: float) -> float:
        if self.copy_done_at is None or self.copy_started_at is None:
            return 1.0
        span = self.copy_done_at - self.copy_started_at
        if span <= 0:
            return 1.0
        return max(0.0, min(1.0, (now - self.copy_started_at) / span))


def pair_key(pvol: str, mu: int) -> str:
    return f"{pvol}/{mu}"
