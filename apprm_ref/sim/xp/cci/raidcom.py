"""``raidcom get ldev``: the LDEV attributes a ZDB host reads (size, ports, pair attribute).

``KEY : value`` lines in the order of captured output (OpenStack Cinder HBSD unit tests,
``raidcom_get_result3``; ``raidcom get ldev -ldev_id 64:00 -fx`` in a public migration
note): ``Serial#  :`` with two blanks, ``RAID_LEVEL  :`` / ``RAID_TYPE   :`` /
``DRIVE_TYPE  :`` padded, an undefined LDEV ``VOL_TYPE : NOT DEFINED``. ``VOL_ATTR`` adds
``MRCF`` for a ShadowImage volume and ``HORC`` for a TrueCopy one (Cinder's ``_PAIR_ATTRS``).
Drive type and capacity are fixed values (inferred). Other raidcom objects are refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci.args import Args, _instance
from apprm_ref.sim.xp.cci.resolve import array_by_serial
from apprm_ref.sim.xp.models import ldev_id, ldev_number

if TYPE_CHECKING:
    from apprm_ref.sim.xp.cci.commands import Cci

_INST = re.compile(r"^-I(H|M|TC|SI|CA|BC)?(\d*)$")
_RAID_TYPE = {"raid1": "2D+2D", "raid5": "3D+1P", "raid6": "6D+2P"}
MAX_CNT = 64 * 1024  # LDEV numbers 0..65535


def _parse(words: list[str]) -> tuple[Args, list[str]]:
    args = Args("raidcom")
    verbs, i = [], 0
    while i < len(words):
        w = words[i]
        m = _INST.match(w)
        if m:
            _instance(args, m)
        elif w in ("-ldev_id", "-cnt", "-s"):
            if i + 1 >= len(words):
                xe.refuse("EX_REQARG", f"{w} needs a value")
            args.opts[w] = [words[i + 1]]
            i += 1
        elif w == "-fx":
            args.fmt += "x"
        elif w.startswith("-"):
            xe.refuse("EX_UNWOPT", f"raidcom option {w} is not implemented")
        else:
            verbs.append(w)
        i += 1
    return args, verbs


def raidcom(cci: Cci, words: list[str]) -> tuple[int, str]:
    args, verbs = _parse(words)
    if verbs != ["get", "ldev"]:
        xe.refuse("EX_UNWOPT", f"raidcom {' '.join(verbs) or '(nothing)'} is not implemented")
    inst = cci.instance(args)
    if not cci.is_running(inst):
        xe.refuse("EX_COMERR", f"HORCM instance {inst} is not running")
    arr = _array(cci, args, inst)
    first = args.value("-ldev_id")
    if first is None:
        xe.refuse("EX_REQARG", "raidcom get ldev needs -ldev_id <ldev#>")
    try:
        start = ldev_number(first)
    except ValueError:
        xe.refuse("EX_INVARG", f"bad LDEV {first!r}")
    cnt = args.value("-cnt", "1") or "1"
    if not cnt.isdigit() or not 1 <= int(cnt) <= MAX_CNT - start:
        xe.refuse("EX_INVARG", f"-cnt {cnt} out of range 1..{MAX_CNT - start}")
    out = [_ldev_text(arr, n, "x" in args.fmt) for n in range(start, start + int(cnt))]
    return 0, "".join(out)


def _array(cci: Cci, args: Args, inst: int):  # type: ignore[no-untyped-def]
    serial = args.value("-s")
    if serial is not None:
        if not serial.isdigit():
            xe.refuse("EX_INVARG", f"bad serial {serial!r}")
        return array_by_serial(cci.world, int(serial))
    serials = cci.confs[inst].cmd_serials()
    if not serials:
        xe.refuse("EX_ENOUNT", "no command device names a RAID serial")
    return array_by_serial(cci.world, serials[0])


def ldev_lines(arr, number: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(key, value) pairs of one LDEV."""
    lid = ldev_id(number)
    ldev = arr.ldevs.get(lid)
    if ldev is None:
        return [("Serial#", str(arr.serial)), ("LDEV", str(number)), ("VOL_TYPE", "NOT DEFINED")]
    blocks = ldev.data.size_extents * ldev.data.extent_bytes // 512
    ports = [(g, lun) for g, lun in arr.lun_paths().paths.get(lid, ())]
    attrs = ["CVS"] + (["MRCF"] if _in_pair(arr, lid, "BC") else [])
    attrs += ["HORC"] if _in_pair(arr, lid, "CA") or ldev.ca_primary else []
    pg = ldev.parity_group.split("-")
    return [
        ("Serial#", str(arr.serial)), ("LDEV", str(number)), ("SL", "0"), ("CL", "0"),
        ("VOL_TYPE", f"{ldev.emulation}-CVS"), ("VOL_Capacity(BLK)", str(blocks)),
        ("NUM_LDEV", "1"), ("LDEVs", str(number)), ("NUM_PORT", str(len(ports))),
        ("PORTs", " : ".join(f"{g} {lun} {arr.host_groups[g].name}" for g, lun in ports)),
        ("F_POOLID", "NONE"), ("VOL_ATTR", " : ".join(attrs)),
        ("RAID_LEVEL", ldev.raid.upper()), ("RAID_TYPE", _RAID_TYPE.get(ldev.raid, "3D+1P")),
        ("NUM_GROUP", "1"), ("RAID_GROUPs", f"{int(pg[0]):02d}-{int(pg[-1]):02d}"),
        ("DRIVE_TYPE", "DKR5C-J600SS"), ("DRIVE_Capa", "1143358736"), ("LDEV_NAMING", ""),
        ("STS", "NML"), ("OPE_TYPE", "NONE"), ("OPE_RATE", "100"), ("MP#", "0"),
        ("SSID", f"{0x0004 + (number >> 8):04X}"),
    ]  # fmt: skip


_PAD = {"Serial#": "Serial#  :", "RAID_LEVEL": "RAID_LEVEL  :", "RAID_TYPE": "RAID_TYPE   :"}
_PAD["DRIVE_TYPE"] = "DRIVE_TYPE  :"


def _ldev_text(arr, number: int, hexa: bool) -> str:  # type: ignore[no-untyped-def]
    out = []
    for key, value in ldev_lines(arr, number):
        if key in ("LDEV", "LDEVs") and hexa:
            value = format(number, "x")
        label = _PAD.get(key, f"{key} :")
        out.append(f"{label} {value}" if value else label)
    return "\n".join(out) + "\n"


def _in_pair(arr, lid: str, kind: str) -> bool:  # type: ignore[no-untyped-def]
    return any(p.kind == kind and lid in (p.pvol, p.svol) for p in arr.pairs.values())
