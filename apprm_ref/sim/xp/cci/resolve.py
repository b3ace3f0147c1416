"""From ``-g group [-d dev]`` and the HORCM instances to array volumes and pairs.

Two instances describe one pair: the same group and dev_name in the local instance and in
the partner instance named by ``HORCM_INST``. Which side is the P-VOL is what the array
says (decided at ``paircreate`` by ``-vl`` / ``-vr``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import XpError
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import hostdev
from apprm_ref.sim.xp.cci.args import DevSpec
from apprm_ref.sim.xp.cci.horcm import DevLine, HorcmConf
from apprm_ref.sim.xp.models import Pair, ldev_id, ldev_number, pair_key

if TYPE_CHECKING:
    from apprm_ref.sim.world import World
    from apprm_ref.sim.xp.backend import XpBackend


@dataclass(frozen=True)
class Side:
    array: Any  # XpBackend
    ldev: str  # CU:LDEV
    line: DevLine

    @property
    def mu(self) -> int:
        return self.line.mu or 0


@dataclass(frozen=True)
class Dev:
    group: str
    name: str
    local: Side
    remote: Side


@dataclass(frozen=True)
class View:
    """A dev's pair as the array sees it; ``role`` is the local side's P/S or None (SMPL)."""

    dev: Dev
    role: str | None
    pair: Pair | None

    @property
    def primary(self) -> Side:
        return self.dev.remote if self.role == "S" else self.dev.local

    @property
    def secondary(self) -> Side:
        return self.dev.local if self.role == "S" else self.dev.remote

    def key(self, tc: bool) -> tuple[str, int]:
        if self.pair is not None:
            return (self.pair.pvol, self.pair.mu)
        return (self.primary.ldev, -1 if tc else self.primary.mu)


def array_by_serial(world: World, serial: int) -> XpBackend:
    for name in sorted(world.arrays):
        arr = world.arrays[name]
        if getattr(arr, "kind", "") == "xp" and arr.serial == serial:
            return arr
    xe.refuse("EX_ENOUNT", f"no RAID unit with serial {serial}")


def side_of(world: World, conf: HorcmConf, line: DevLine) -> Side:
    if line.serial is not None:
        arr = array_by_serial(world, line.serial)
        try:
            lid = ldev_id(ldev_number(line.ldev))
        except ValueError:
            xe.refuse("EX_INVARG", f"{conf.path}:{line.line}: bad LDEV {line.ldev}")
        if lid not in arr.ldevs:
            xe.refuse("EX_ENLDEV", f"no LDEV {lid} in RAID {line.serial}")
        return Side(arr, lid, line)
    serials = conf.cmd_serials()
    if not serials:
        xe.refuse("EX_ENOUNT", f"{conf.path}: HORCM_CMD names no \\\\.\\CMD-<serial> device")
    arr = array_by_serial(world, serials[0])
    port = line.port if line.port.count("-") == 2 else f"{line.port}-0"
    hg = arr.host_groups.get(port)
    if hg is None or line.lu not in hg.luns:
        xe.refuse("EX_ENODEV", f"no LU {line.lu} on {port} of RAID {arr.serial}")
    return Side(arr, hg.luns[line.lu], line)


def partner_conf(confs: dict[int, HorcmConf], conf: HorcmConf, group: str) -> HorcmConf:
    inst = conf.inst.get(group)
    if inst is None:
        xe.refuse("EX_ENORMT", f"group {group} has no HORCM_INST entry in {conf.path}")
    for n in sorted(confs):
        other = confs[n]
        if other is not conf and other.service == inst[1]:
            return other
    xe.refuse("EX_ENORMT", f"no HORCM instance listening on {inst[0]}:{inst[1]}")


def devices(
    world: World,
    confs: dict[int, HorcmConf],
    inst: int,
    group: str | None,
    dev: DevSpec | None,
    env: dict[str, str] | None = None,
) -> list[Dev]:
    conf = confs.get(inst)
    if conf is None:
        xe.refuse("EX_COMERR", f"HORCM instance {inst} is not running")
    if dev is not None and dev.name is None:
        group, lines = _by_volume(world, conf, group, dev, env or {})
    else:
        if group is None:
            xe.refuse("EX_REQARG", "-g <group> is required")
        lines = conf.group(group)
        if not lines:
            xe.refuse("EX_ENOGRP", f"no group {group} in {conf.path}")
        if dev is not None:
            lines = [d for d in lines if d.dev == dev.name]
            if not lines:
                xe.refuse("EX_ENODEV", f"no device {dev.name} in group {group}")
    other = partner_conf(confs, conf, group)
    out = []
    for line in lines:
        match = [d for d in other.group(group) if d.dev == line.dev]
        if not match:
            xe.refuse("EX_ENODEV", f"{group}/{line.dev} is not in {other.path}")
        local, remote = side_of(world, conf, line), side_of(world, other, match[0])
        out.append(Dev(group, line.dev, local, remote))
    return out


def _mu_matches(line: DevLine, mu: str | None) -> bool:
    if mu is None:
        return line.horc_mu is None
    if mu.startswith("h"):
        return line.horc_mu == int(mu[1:])
    return line.horc_mu is None and (line.mu or 0) == int(mu)


def _by_volume(
    world: World, conf: HorcmConf, group: str | None, dev: DevSpec, env: dict[str, str]
) -> tuple[str, list[DevLine]]:
    """``-d[g] <serial> <ldev> [MU#]`` / ``-d[g] <raw_device> [MU#]``: the configuration
    line of that volume (searched in the local instance), or its whole group with -dg."""
    if dev.device is not None:
        found = hostdev.device(world, env, dev.device)
        if found is None:
            xe.refuse("EX_ENODEV", f"no device file {dev.device} on this host")
        serial, number = world.arrays[found.array].serial, ldev_number(found.volume)
    else:
        try:
            serial, number = dev.serial, ldev_number(dev.ldev or "")
        except ValueError:
            xe.refuse("EX_INVARG", f"bad LDEV {dev.ldev}")
    hits = []
    for line in conf.devs:
        if group is not None and line.group != group:
            continue
        try:
            side = side_of(world, conf, line)
        except XpError:
            continue
        same = side.array.serial == serial and ldev_number(side.ldev) == number
        if same and _mu_matches(line, dev.mu):
            hits.append(line)
    if not hits:
        xe.refuse("EX_ENODEV", f"no volume {serial}:{number} MU#{dev.mu or 0} in {conf.path}")
    first = hits[0]
    if dev.whole_group:
        return first.group, conf.group(first.group)
    return first.group, [first]


def view(dev: Dev, tc: bool) -> View:
    loc, rem = dev.local, dev.remote
    if tc:
        for role, a, b in (("P", loc, rem), ("S", rem, loc)):
            pair = a.array.pairs.get(pair_key(a.ldev, -1))
            if pair is not None and pair.svol == b.ldev and pair.svol_array == b.array.name:
                return View(dev, role, pair)
        return View(dev, None, None)
    if loc.array is rem.array:
        pairs = loc.array.pairs
        pair = pairs.get(pair_key(loc.ldev, loc.mu))
        if pair is not None and pair.kind == "BC" and pair.svol == rem.ldev:
            return View(dev, "P", pair)
        pair = pairs.get(pair_key(rem.ldev, rem.mu))
        if pair is not None and pair.kind == "BC" and pair.svol == loc.ldev:
            return View(dev, "S", pair)
        own = loc.array.pair_of_svol(loc.ldev)
        if own is not None and own.pvol == rem.ldev:
            return View(dev, "S", own)
    return View(dev, None, None)
