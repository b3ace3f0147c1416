"""A minimal BlockStore for host tests: volumes presented to hosts, no array rules."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apprm_ref.errors import ArrayError
from apprm_ref.persist import persistable
from apprm_ref.sim.storage import VolumeData
from apprm_ref.sim.world import World

sys.path.insert(0, str(Path(__file__).parent))  # host_helpers


@persistable("test.PlainArray")
@dataclass(eq=False)
class PlainArray:
    name: str
    volumes: dict[str, VolumeData] = field(default_factory=dict)
    luns: dict[str, dict[str, int]] = field(default_factory=dict)  # host -> volume -> lun
    read_only: list[str] = field(default_factory=list)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    def attach(self, world: World) -> None:
        self.world = world

    def check_invariants(self) -> list[str]:
        return []

    def add(self, vol: str, extents: int, *hosts: str) -> None:
        self.volumes[vol] = VolumeData(extents)
        for h in hosts:
            self.present(vol, h)

    def present(self, vol: str, host: str) -> None:
        luns = self.luns.setdefault(host, {})
        luns[vol] = len(luns)

    def host_luns(self, host: str) -> list[tuple[int, str]]:
        return sorted((lun, v) for v, lun in self.luns.get(host, {}).items())

    def volume_wwn(self, volume: str) -> str:
        return f"wwn-{self.name}-{volume}"

    def volume_extents(self, volume: str) -> int:
        return self.volumes[volume].size_extents

    def block_read(self, volume: str, extent: int) -> Any:
        return self.volumes[volume].read(extent)

    def block_read_run(self, volume: str, start: int, count: int) -> tuple[Any, ...]:
        return tuple(self.block_read(volume, e) for e in range(start, start + count))

    def block_write(self, volume: str, items: dict[int, Any], *, host: str) -> None:
        if volume in self.read_only:
            raise ArrayError(f"{volume} is write protected", code="WRITE_PROTECTED")
        self.volumes[volume].write_many(items)


@pytest.fixture
def lab() -> tuple[World, PlainArray]:
    world = World(11)
    arr = world.add_array(PlainArray("arr1"))
    arr.add("d1", 64, "app")
    arr.add("d2", 64, "app")
    world.hosts.add_host("app")
    world.hosts.add_host("bk", role="backup")
    return world, arr
