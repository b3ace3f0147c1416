"""``raidqry``, ``raidscan -CLI`` and ``inqraid -CLI``: what a host learns about its arrays.

Layouts: ``raidqry -l`` as captured in miquelMariano/xorux_config's README (right-aligned
columns); ``raidqry -h`` carries ``Ver&Rev:`` as OpenStack Cinder's HBSD driver parses it;
``raidscan -p <port> -CLI`` has the header the Hitachi Vantara ``raidcomparser`` splits
(``PORT# /ALPA/C TID# LU# Seq# Num LDEV# P/S Status Fence E-Seq# E-LDEV#``, TrueCopy mode);
``inqraid -CLI`` the header and fields of pastebin.com/FJqYmfxh (``H/M/12`` is the TrueCopy,
ShadowImage MU#0 and MU#1/#2 attributes: P, S or s for simplex). The SSID, AL-PA, microcode
and cache values are fixed per array model (inferred).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import hostdev
from apprm_ref.sim.xp.cci.resolve import array_by_serial
from apprm_ref.sim.xp.models import cci_status

if TYPE_CHECKING:
    from apprm_ref.sim.xp.cci.args import Args
    from apprm_ref.sim.xp.cci.commands import Cci

VERSION = "01-24-03/03"  # the RAID Manager release this door speaks (XP24000 era)
MICROCODE = {"XP24000": ("60-06-33/00", 65536), "XP12000": ("50-09-34/00", 32768)}
RAIDQRY_HEAD = "  No  Group    Hostname     HORCM_ver   Uid   Serial#   Micro_ver     Cache(MB)"
RAIDSCAN_HEAD = "PORT# /ALPA/C TID# LU# Seq# Num LDEV# P/S Status Fence E-Seq# E-LDEV#"
INQRAID_HEAD = "DEVICE_FILE PORT SERIAL LDEV CTG H/M/12 SSID R:Group PRODUCT_ID"


def _running(cci: Cci, args: Args) -> int:
    inst = cci.instance(args)
    if not cci.is_running(inst):
        xe.refuse("EX_COMERR", f"HORCM instance {inst} is not running")
    return inst


def _units(cci: Cci, inst: int) -> list:
    conf = cci.confs[inst]
    return [array_by_serial(cci.world, s) for s in dict.fromkeys(conf.cmd_serials())]


def raidqry(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-h"):
        return 0, f"Model  : RAID-Manager/Linux\nVer&Rev: {VERSION}\n"
    if not args.has("-l"):
        xe.refuse("EX_REQARG", "raidqry: only -l and -h are implemented")
    inst = _running(cci, args)
    host = cci.env.get("APPRM_HOST") or cci.env.get("HOSTNAME") or "localhost"
    lines = [RAIDQRY_HEAD]
    for n, arr in enumerate(_units(cci, inst), start=1):
        micro, cache = MICROCODE.get(arr.model, ("60-06-33/00", 65536))
        lines.append(raidqry_row(n, "---", host, VERSION, 0, arr.serial, micro, cache))
    return 0, "\n".join(lines) + "\n"


def raidqry_row(
    n: int, group: str, host: str, ver: str, uid: int, serial: int, micro: str, cache: int
) -> str:
    return f"{n:>4}{group:>7}{host:>12}{ver:>14}{uid:>6}{serial:>9}{micro:>15}{cache:>12}"


def _attr(arr, lid: str, mu: int | None) -> str:  # type: ignore[no-untyped-def]
    """P, S or s (simplex) of ``lid`` in its ShadowImage MU (``mu``) or TrueCopy pair."""
    for pair in arr.pairs.values():
        if (pair.kind == "CA") != (mu is None) or (mu is not None and pair.mu != mu):
            continue
        if pair.pvol == lid:
            return "P"
        if pair.svol == lid and pair.kind == "BC":
            return "S"
    if mu is None and arr.ldevs[lid].ca_primary:
        return "S"
    return "s"


def raidscan(cci: Cci, args: Args) -> tuple[int, str]:
    port = args.value("-p")
    if port is None:
        xe.refuse("EX_REQARG", "raidscan: -p <port> is required (-find is not implemented)")
    if not args.has("-CLI") or not cci.tc(args):
        xe.refuse("EX_UNWOPT", "raidscan prints only the TrueCopy-mode -CLI layout")
    inst = _running(cci, args)
    serial = args.value("-s")
    arr = array_by_serial(cci.world, int(serial)) if serial and serial.isdigit() else None
    if arr is None:
        units = _units(cci, inst)
        if not units:
            xe.refuse("EX_ENOUNT", "no command device names a RAID serial")
        arr = units[0]
    rows = [RAIDSCAN_HEAD]
    wanted = port.upper()
    groups = [g for k, g in sorted(arr.host_groups.items()) if wanted in (g.port, k)]
    if not groups:
        xe.refuse("EX_ENOUNT", f"no port {port} on RAID {arr.serial}")
    for g in groups:
        for lun, lid in sorted(g.luns.items()):
            ldev = arr.ldevs[lid].number
            pair = next(
                (p for p in arr.pairs.values() if p.kind == "CA" and lid in (p.pvol,)), None
            )
            ps = {"P": "P-VOL", "S": "S-VOL", "s": "SMPL"}[_attr(arr, lid, None)]
            status = "-" if pair is None else cci_status(pair.state, "P")
            fence = "-" if pair is None else "NEVER"
            num = format(ldev, "x") if "x" in args.fmt else str(ldev)
            rows.append(f"{g.key} ef 0 0 {lun} {arr.serial} 1 {num} {ps} {status} {fence} - -")
    return 0, "\n".join(rows) + "\n"


def _raid(ldev) -> str:  # type: ignore[no-untyped-def]
    level = ldev.raid.lower().replace("raid", "") or "5"
    cu, _, rest = ldev.parity_group.partition("-")
    return f"{level}:{int(cu):02d}-{int(rest or 1):02d}"


def inqraid(cci: Cci, args: Args) -> tuple[int, str]:
    if not args.has("-CLI"):
        xe.refuse("EX_UNWOPT", "inqraid prints only the -CLI layout")
    names = args.words or cci.stdin.split()
    lines = [INQRAID_HEAD]
    for name in names:
        dev = hostdev.device(cci.world, cci.env, name)
        base = name.rsplit("/", 1)[-1]
        arr = cci.world.arrays.get(dev.array) if dev is not None else None
        if dev is None or getattr(arr, "kind", "") != "xp":
            product = getattr(arr, "model", "-") if arr is not None else "-"
            lines.append(f"{base} - - - - - - - {product}")
            continue
        ldev = arr.ldevs[dev.volume]
        paths = [g for g, _ in arr.lun_paths().paths.get(dev.volume, ())]
        port = arr.host_groups[paths[0]].port if paths else "-"
        num = format(ldev.number, "x") if "x" in args.fmt else str(ldev.number)
        hm = f"{_attr(arr, ldev.id, None)}/{_attr(arr, ldev.id, 0)}/"
        hm += _attr(arr, ldev.id, 1).lower() + _attr(arr, ldev.id, 2).lower()
        ssid = f"{0x0004 + (ldev.number >> 8):04X}"
        lines.append(
            f"{base} {port} {arr.serial} {num} - {hm} {ssid} {_raid(ldev)} {ldev.emulation}"
        )
    return 0, "\n".join(lines) + "\n"
