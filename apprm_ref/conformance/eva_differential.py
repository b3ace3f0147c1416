"""Differential check of the real EVA SMI-S driver against the simulator's protocol door.

Two identical simulated worlds, one driven through ``EvaDriver``, one through
``EvaSmisDriver`` over the SMI-S door; every operation is applied to both and their
answers, refusal codes, inventories and world states must agree (object ids of the SMI-S
side are translated to vdisk ids). Used by the unit and stateful tests of ``eva-smis``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apprm_ref.conformance.eva_subjects import smis_driver
from apprm_ref.drivers.array import CopyState, ReplicaRequest, VolumeInfo
from apprm_ref.drivers.copy_poll import COPY_POLL_SECONDS, poll_copies
from apprm_ref.errors import ApprmError
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.driver import EvaDriver
from apprm_ref.sim.eva.models import object_id
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World
from apprm_ref.types import Op, TargetVolume, VolumeRef

ARRAY = "eva1"


def build(seed: int = 11) -> World:
    world = World(seed)
    eva = world.add_array(EvaBackend(ARRAY))
    eva.add_disk_group("dg1", 400 * GIB)
    eva.add_disk_group("dg2", 400 * GIB)
    data = eva.create_vdisk("ora_data", 4 * GIB, "dg1", "vraid5")
    eva.create_vdisk("ora_redo", 2 * GIB, "dg1", "vraid1")
    eva.create_vdisk("ora_arch", 2 * GIB, "dg2", "vraid5")
    eva.present(data.id, "hostA")
    eva.block_write(data.id, {0: "label", 1: "v1"}, host="hostA")
    return world


def dev(vid: str) -> str:
    return object_id(ARRAY, vid)


VID_OF = {dev(f"vd{n:04d}"): f"vd{n:04d}" for n in range(1, 1000)}


def vid(device_id: str) -> str:
    return VID_OF.get(device_id, device_id)


def _to_dev(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("vd"):
        return dev(value)
    if isinstance(value, ReplicaRequest):
        return dataclasses.replace(value, source=dev(value.source))
    if isinstance(value, list | tuple):
        return type(value)(_to_dev(v) for v in value)
    return value


def _ref(ref: VolumeRef | None) -> VolumeRef | None:
    return None if ref is None else VolumeRef(ref.array, vid(ref.volume))


def to_vids(value: Any) -> Any:
    """A result of the SMI-S driver with object ids replaced by vdisk ids."""
    if isinstance(value, VolumeInfo):
        return dataclasses.replace(value, ref=_ref(value.ref), source=_ref(value.source))
    if isinstance(value, TargetVolume):
        return (_ref(value.source), _ref(value.target), value.replica_type, value.details)
    if isinstance(value, list):
        return [to_vids(v) for v in value]
    if isinstance(value, str):
        return vid(value)
    return value


def from_smis(value: Any) -> Any:
    """A result of the SMI-S driver as the in-process door gives it: object ids replaced by
    vdisk ids in volume infos, targets, operations, maps and lists."""
    if isinstance(value, VolumeInfo):
        return dataclasses.replace(value, ref=_ref(value.ref), source=_ref(value.source))
    if isinstance(value, TargetVolume):
        return dataclasses.replace(value, source=_ref(value.source), target=_ref(value.target))
    if isinstance(value, Op):
        return Op(from_smis(value.result), value.done_at)
    if isinstance(value, dict):
        return {from_smis(k): from_smis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_smis(v) for v in value]
    if isinstance(value, str):
        return vid(value)
    return value


class VdiskIdDriver:
    """``EvaSmisDriver`` seen through vdisk ids, so core (whose host side names array
    volumes by the simulator's vdisk ids) runs sessions through SMI-S unchanged."""

    def __init__(self, smis: Any) -> None:
        self.smis = smis

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.smis, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return from_smis(attr(*_to_dev(args), **kwargs))

        return call


def _plain(value: Any) -> Any:
    if isinstance(value, TargetVolume):
        return (value.source, value.target, value.replica_type, value.details)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key(info: VolumeInfo) -> VolumeRef:
    return info.ref


def known_copy(state: CopyState) -> tuple[bool, float]:
    """What a standards-only client knows of a copy: whether it runs and its progress as a
    whole ``PercentSynced`` (SMI-S gives no end; the simulator's exact one is left out)."""
    return state.copying, int(100 * state.fraction) / 100.0 if state.copying else 1.0


class BackendOps:
    """The in-process side of the SMI-S operations that ``EvaDriver`` does not offer:
    the same EVA backend calls the SMI-S door maps them onto."""

    def __init__(self, world: World) -> None:
        self.backend: EvaBackend = world.array(ARRAY)

    def detach(self, source: str, target: str) -> None:
        self.backend.detach_clone(source, target)

    def create_volume(self, name: str, size_bytes: int, pool: str, raid: str | None = None) -> str:
        return self.backend.create_vdisk(name, size_bytes, pool, raid or "vraid5").id


class Twin:
    def __init__(self, seed: int = 11) -> None:
        self.wa, self.wb = build(seed), build(seed)
        self.sim = EvaDriver(self.wa, ARRAY)
        self.smis = smis_driver(self.wb, ARRAY)
        self.ops = BackendOps(self.wa)
        self.steps = 0

    def do(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Apply one call to both drivers; same result or same refusal code; same arrays."""
        inner = self.ops if method in ("detach", "create_volume") else self.sim
        a = self._call(inner, method, args, kwargs)
        b = self._call(self.smis, method, _to_dev(args), kwargs)
        self.steps += 1
        if isinstance(a, ApprmError) or isinstance(b, ApprmError):
            assert (type(a), getattr(a, "code", None)) == (type(b), getattr(b, "code", None)), (
                f"{method}{args}: sim {a!r} vs smis {b!r}"
            )
        else:
            got = to_vids(b.result if isinstance(b, Op) else b)
            want = _plain(a.result if isinstance(a, Op) else a)
            if method == "targets_of":  # same-instant targets: the order is not specified
                got, want = sorted(got, key=_key), sorted(want, key=_key)
            if method == "copy_state":
                assert got.done_at is None, "SMI-S has no completion time to report"
                got, want = known_copy(got), known_copy(want)
            assert got == want, f"{method}{args}: sim {want} vs smis {got}"
            if isinstance(b, Op):
                assert b.done_at == self.wb.now(), "a real driver's done_at is the clock's now"
        self.check()
        return a

    @staticmethod
    def _call(driver: Any, method: str, args: Any, kwargs: Any) -> Any:
        try:
            return getattr(driver, method)(*args, **kwargs)
        except ApprmError as exc:
            return exc

    def inventory(self) -> tuple[list[VolumeInfo], list[VolumeInfo]]:
        sim = sorted(self.sim.list_volumes(), key=lambda v: v.ref)
        smis = sorted(to_vids(self.smis.list_volumes()), key=lambda v: v.ref)
        return sim, smis

    def check(self) -> None:
        """Same inventory (every compared VolumeInfo field), same pools, same world state."""
        sim, smis = self.inventory()
        diff = [(a, b) for a, b in zip(sim, smis, strict=False) if a != b]
        assert smis == sim, f"after step {self.steps}: inventories differ: {diff or (sim, smis)}"
        assert self.smis.pools() == self.sim.pools()
        assert self.wa.digest() == self.wb.digest(), f"after step {self.steps}: worlds differ"

    def advance(self, seconds: float) -> None:
        self.wa.advance(seconds)
        self.wb.advance(seconds)
        self.check()

    def copy_states(self, volume: str) -> tuple[Any, Any]:
        return self.sim.copy_state(volume), self.smis.copy_state(dev(volume))

    def wait_copy(self, volume: str, interval: float = COPY_POLL_SECONDS) -> float:
        """Poll the SMI-S driver's ``copy_state(volume)`` as core does, both worlds' time
        passing between looks, until it shows no copy; the instant the poll saw that."""
        poll_copies(
            lambda: [self.smis.copy_state(dev(volume))],
            self.wb.now,
            lambda t: self.advance(t - self.wb.now()),
            interval=interval,
        )
        return self.wb.now()
