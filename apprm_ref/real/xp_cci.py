"""Real XP driver: RAID Manager CCI commands through a :class:`CommandRunner`.

Pairs are known to RAID Manager by ``-g group -d dev`` of the HORCM configuration; the
driver learns which (P-VOL LDEV, MU#, S-VOL LDEV) each dev stands for from
``pairdisplay -CLI -fcx`` of its groups, and addresses every pair command that way. It
implements :class:`~apprm_ref.drivers.array.SplitMirrorArray`; in tests its runner is the
simulator's CCI door, so the parsing here is what runs.

Transient errors are handled as OpenStack Cinder's Hitachi driver (``vsp_horcm.py``)
documents them: HORCM not reachable (``EX_COMERR``, ``EX_ATTHOR``, ``EX_ATTDBG``,
``EX_ENORMT``) -> ``horcmstart.sh`` the instance (and its partner) and run the command
again; an I/O error towards the RAID (``EX_CMDIOE``, ``EX_CMDRJE``, ``EX_INVCMD``,
``EX_INVMOD``, ``EX_OPTINV``) -> run it again, unless the sense bytes name a refusal that
never clears (``_HORCM_NO_RETRY_ERRORS``). A whole group is split by one ``pairsplit -g``
(one instant for every pair of it); size comes from ``raidcom get ldev`` and the WWN is the
NAA-6 identifier an XP LU reports (Hitachi OUI 0060E8, serial, LDEV).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apprm_ref.drivers.array import CaPairInfo, PairInfo, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.errors import XpError
from apprm_ref.real.runner import CommandRunner
from apprm_ref.real.xp_cci_text import (
    PairRow,
    error_code,
    ldev_num,
    ldev_text,
    parse_ldev,
    parse_pairdisplay,
    raise_for,
)
from apprm_ref.types import Op, ReplicaType, VolumeRef

FEATURES = frozenset(
    {
        "business-copy",
        "quick-split",
        "quick-restore",
        "reverse-restore",
        "exclude-list",
        "pair-create",
    }
)
LIMITS = {"mu_per_pvol": 3, "l2_per_node": 2, "copies_per_pvol": 9}
_WAIT = {"PAIR": "pair", "PSUS": "psus", "SSUS": "psus", "SMPL": "smpl", "PSUE": "psue"}
_WAIT.update({"COPY": "copy", "RCPY": "copy"})
HORCM_DOWN = frozenset({"EX_COMERR", "EX_ATTHOR", "EX_ATTDBG", "EX_ENORMT"})
RAID_IO = frozenset({"EX_CMDIOE", "EX_CMDRJE", "EX_INVCMD", "EX_INVMOD", "EX_OPTINV"})
NO_RETRY_SSB = (
    "SSB=0x2E10,0x9705", "SSB=0x2E10,0x9706", "SSB=0x2E10,0x9707", "SSB=0x2E11,0x8303",
    "SSB=0x2E30,0x0007", "SSB=0xB956,0x3173", "SSB=0xB956,0x31D7", "SSB=0xB956,0x31D9",
    "SSB=0xB957,0x4188", "SSB=0xB958,0x015A", "SSB=0xB958,0x015E",
)  # fmt: skip


@dataclass(frozen=True)
class CciDev:
    """One HORCM dev: the local (L) and remote (R) row of ``pairdisplay``."""

    group: str
    dev: str
    local: PairRow
    remote: PairRow | None

    @property
    def pvol(self) -> str:
        row = self.remote if self.local.ps == "S-VOL" and self.remote else self.local
        return ldev_text(row.ldev)

    @property
    def svol(self) -> str | None:
        other = self.local if self.local.ps == "S-VOL" else self.remote
        return ldev_text(other.ldev) if other is not None else None

    @property
    def mu(self) -> int:
        row = self.remote if self.local.ps == "S-VOL" and self.remote else self.local
        return row.mu or 0


class XpCciDriver:
    def __init__(
        self,
        runner: CommandRunner,
        horcm_instance: int,
        *,
        groups: Sequence[str],
        name: str = "xp-cci",
        mode: str = "MRCF",
        excluded: Sequence[str] = (),
        now: Callable[[], float] | None = None,
        wait_timeout: float = 86400.0,
        partner_instance: int | None = None,
        io_retries: int = 2,
    ) -> None:
        self.runner, self.instance, self.name = runner, horcm_instance, name
        self.partner = partner_instance
        self.io_retries = io_retries
        self.horcm_starts = 0  # how often the driver had to start an instance
        self.groups = list(groups)
        self.mode = mode
        self.excluded = {ldev_text(ldev_num(x)) for x in excluded}
        self._now = now or (lambda: 0.0)
        self.wait_timeout = wait_timeout

    # --- plumbing -----------------------------------------------------------------------

    def _run(self, cmd: str, *args: str) -> tuple[int, str]:
        flag = f"-IM{self.instance}" if self.mode == "MRCF" else f"-IH{self.instance}"
        argv = [cmd, *args, flag]
        rc, out, err = self.runner.run(argv)
        restarted, tries = False, 0
        while rc > 127:
            code = error_code(rc, err)
            if code in HORCM_DOWN and not restarted:
                self._start_horcm()
                restarted = True
            elif code in RAID_IO and tries < self.io_retries and not _final(err):
                tries += 1
            else:
                break
            rc, out, err = self.runner.run(argv)
        raise_for(cmd, rc, err)
        return rc, out

    def _start_horcm(self) -> None:
        """``horcmstart.sh`` this instance and its partner (exit 1: already running)."""
        for inst in [self.instance] + ([] if self.partner is None else [self.partner]):
            rc, _, err = self.runner.run(["horcmstart.sh", str(inst)])
            if rc not in (0, 1):
                raise XpError(
                    f"horcmstart.sh {inst} failed ({rc}): {err.strip()}", code="EX_COMERR"
                )
            self.horcm_starts += rc == 0

    def _op(self, result=None) -> Op:  # type: ignore[no-untyped-def]
        return Op(result, self._now())

    def devs(self, group: str | None = None) -> list[CciDev]:
        out = []
        for g in [group] if group else self.groups:
            try:
                _, text = self._run("pairdisplay", "-g", g, "-CLI", "-fcx")
            except XpError as exc:
                if exc.code in ("EX_ENOGRP", "EX_ENOENT"):
                    continue  # a group with no devices left in the configuration
                raise
            rows = parse_pairdisplay(text, hexa=True)
            for row in rows:
                if row.lr == "L":
                    remote = next((r for r in rows if r.dev == row.dev and r.lr == "R"), None)
                    out.append(CciDev(g, row.dev, row, remote))
        return out

    def _dev(self, pvol: str, mu: int, svol: str | None = None) -> CciDev | None:
        pvol = ldev_text(ldev_num(pvol))
        for d in self.devs():
            if d.pvol == pvol and d.mu == mu and (svol is None or d.svol == svol):
                return d
        return None

    def _need(self, pvol: str, mu: int) -> CciDev:
        d = self._dev(pvol, mu)
        if d is None:
            raise XpError(f"no HORCM device for {pvol} MU#{mu}", code="EX_ENODEV")
        return d

    # --- ArrayDriver ----------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        return Capabilities("split-mirror-array", "HP", "XP (RAID Manager)", FEATURES, dict(LIMITS))

    def list_volumes(self) -> list[VolumeInfo]:
        seen: dict[str, VolumeInfo] = {}
        for d in self.devs():
            for row in (d.local, d.remote):
                if row is not None:
                    info = self._info(row, d)
                    seen.setdefault(info.ref.volume, info)
        return [seen[k] for k in sorted(seen)]

    def _info(self, row: PairRow, d: CciDev) -> VolumeInfo:
        lid = ldev_text(row.ldev)
        target = row.ps == "S-VOL"
        _, text = self._run(
            "raidcom", "get", "ldev", "-ldev_id", str(row.ldev), "-s", str(row.serial)
        )
        ldev = parse_ldev(text)
        return VolumeInfo(
            ref=VolumeRef(self.name, lid),
            wwn=naa_wwn(row.serial, row.ldev),
            size_bytes=int(ldev.get("VOL_Capacity(BLK)", "0") or 0) * 512,
            role="target" if target else "source",
            replica_type=ReplicaType.MIRROR if target else None,
            source=VolumeRef(self.name, d.pvol) if target else None,
            state=row.status or "SMPL",
            details={"serial": str(row.serial), "group": d.group, "dev": d.dev},
        )

    def volume_info(self, volume: str) -> VolumeInfo:
        lid = ldev_text(ldev_num(volume))
        for info in self.list_volumes():
            if info.ref.volume == lid:
                return info
        raise XpError(f"LDEV {lid} is in no configured group", code="EX_ENLDEV")

    def present(self, volume: str, host: str) -> Op[int]:
        raise XpError("LUN paths are configured by the storage administrator", code="EX_INVCMD")

    def unpresent(self, volume: str, host: str) -> Op[None]:
        raise XpError("LUN paths are configured by the storage administrator", code="EX_INVCMD")

    # --- pairs ----------------------------------------------------------------------------

    def pair_info(self, pvol: str, mu: int) -> PairInfo:
        d = self._dev(pvol, mu)
        lid = ldev_text(ldev_num(pvol))
        if d is None or d.local.ps == "SMPL":
            return PairInfo(lid, mu, None, "SMPL", detail="SMPL")
        row = d.local if d.local.ps == "P-VOL" else d.remote
        status = row.status or "SMPL"
        pct = row.percent if row.percent is not None else 100
        return PairInfo(lid, mu, d.svol, status, None, pct / 100.0, detail=status)

    def pairs_of(self, pvol: str) -> list[PairInfo]:
        lid = ldev_text(ldev_num(pvol))
        mus = sorted({d.mu for d in self.devs() if d.pvol == lid and d.local.ps != "SMPL"})
        return [self.pair_info(lid, mu) for mu in mus]

    def pair_create(self, pvol: str, svol: str, mu: int) -> Op[None]:
        d = self._dev(pvol, mu, ldev_text(ldev_num(svol)))
        if d is None:
            raise XpError(f"no HORCM device pairs {pvol} MU#{mu} with {svol}", code="EX_ENODEV")
        self._run("paircreate", "-g", d.group, "-d", d.dev, "-vl")
        return self._op()

    def _each(self, pairs: Sequence[tuple[str, int]], *opts: str) -> None:
        """Issue one command per group when the pairs are a whole group (one instant)."""
        devs = [self._need(p, mu) for p, mu in pairs]
        by_group: dict[str, list[CciDev]] = {}
        for d in devs:
            by_group.setdefault(d.group, []).append(d)
        for group in sorted(by_group):
            names = {d.dev for d in by_group[group]}
            if names == {d.dev for d in self.devs(group)}:
                self._run(opts[0], "-g", group, *opts[1:])
            else:
                for name in sorted(names):
                    self._run(opts[0], "-g", group, "-d", name, *opts[1:])

    def pair_split(self, pairs: Sequence[tuple[str, int]], *, quick: bool = False) -> Op[None]:
        """The array accepts or refuses each pair by its state (a pair already splitting or
        split is left as it is); a whole group is split at one instant."""
        if len(pairs) > 1:
            self._splittable(pairs)
        self._each(pairs, "pairsplit", *(["-fq", "quick"] if quick else []))
        return self._op()

    def _splittable(self, pairs: Sequence[tuple[str, int]]) -> None:
        """RAID Manager splits device by device: the whole batch is checked first, so a
        batch the array would refuse in part splits nothing (all or nothing)."""
        for p, mu in pairs:
            self._need(p, mu)
        for p, mu in pairs:
            status = self.pair_info(p, mu).state
            if status not in ("PAIR", "PSUS"):
                code = "EX_INVVOL" if status == "SMPL" else "EX_CMDRJE"
                raise XpError(f"pairsplit: {p} MU#{mu} is {status}", code=code)

    def pair_resync(
        self, pairs: Sequence[tuple[str, int]], *, restore: bool = False, quick: bool = False
    ) -> Op[None]:
        opts = (["-restore"] if restore else []) + (["-fq", "quick"] if quick else [])
        self._each(pairs, "pairresync", *opts)
        return self._op()

    def pair_delete(self, pvol: str, mu: int) -> Op[None]:
        d = self._need(pvol, mu)
        self._run("pairsplit", "-g", d.group, "-d", d.dev, "-S")
        return self._op()

    def pair_suspend(self, pairs: Sequence[tuple[str, int]]) -> Op[None]:
        self._each(pairs, "pairsplit", "-E")
        return self._op()

    def wait_pairs(self, pairs: Sequence[tuple[str, int]], state: str) -> Op[None]:
        want = _WAIT.get(state.upper())
        if want is None:
            raise XpError(f"cannot wait for status {state}", code="EX_INVARG")
        timeout = f"{self.wait_timeout:g}"
        for p, mu in pairs:
            d = self._need(p, mu)
            self._run("pairevtwait", "-g", d.group, "-d", d.dev, "-s", want, "-t", timeout)
        return self._op()

    def ca_pair(self, pvol: str) -> CaPairInfo | None:
        """Continuous Access is not driven by this driver (no ``continuous-access`` feature)."""
        return None

    def is_excluded(self, ldev: str) -> bool:
        return ldev_text(ldev_num(ldev)) in self.excluded

    def free_svols(self, pvol: str) -> list[str]:
        lid = ldev_text(ldev_num(pvol))
        found = {
            d.svol
            for d in self.devs()
            if d.pvol == lid and d.local.ps == "SMPL" and d.svol is not None
        }
        return sorted(s for s in found if s not in self.excluded)


def naa_wwn(serial: int, ldev: int) -> str:
    """NAA-6 identifier of an XP LU: Hitachi's IEEE OUI, the array serial and the LDEV."""
    return f"60060e80{serial:08x}0000{ldev:012x}"


def _final(stderr: str) -> bool:
    """The array named a refusal that retrying never clears."""
    return any(ssb in stderr for ssb in NO_RETRY_SSB)
