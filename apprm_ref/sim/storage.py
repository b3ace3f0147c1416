"""Volumes made of extents whose payloads are immutable values.

A volume's content is a chain of frozen layers plus a private delta. Taking a point-in-time
copy freezes the delta into a new shared layer (O(1)); both volumes then write into fresh
deltas, so memory grows with changed extents only, never with capacity. Chains are
flattened when they get deep, keeping reads cheap.

Payloads are any immutable plain value (bytes, str, int, tuples of those). An extent never
written reads as ``None`` (zeros).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.persist import persistable

Payload = Any  # bytes | str | int | tuple[...]: immutable, JSON-encodable through persist

MIB = 1024 * 1024
GIB = 1024 * MIB
TIB = 1024 * GIB
DEFAULT_EXTENT_BYTES = MIB
MAX_CHAIN_DEPTH = 24


@persistable("storage.Layer", shared=True)
@dataclass(eq=False)
class Layer:
    """A frozen set of extents, shared by every volume whose history passes through it."""

    extents: dict[int, Payload]
    parent: Layer | None = None
    depth: int = 1

    def lookup(self, index: int) -> tuple[bool, Payload]:
        layer: Layer | None = self
        while layer is not None:
            if index in layer.extents:
                return True, layer.extents[index]
            layer = layer.parent
        return False, None

    def flattened(self) -> dict[int, Payload]:
        chain: list[Layer] = []
        layer: Layer | None = self
        while layer is not None:
            chain.append(layer)
            layer = layer.parent
        merged: dict[int, Payload] = {}
        for lyr in reversed(chain):
            merged.update(lyr.extents)
        return merged


@persistable("storage.Volume")
@dataclass(eq=False)
class VolumeData:
    """The content of one array volume (vdisk, LDEV, snapshot, S-VOL)."""

    size_extents: int
    extent_bytes: int = DEFAULT_EXTENT_BYTES
    base: Layer | None = None
    delta: dict[int, Payload] = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        return self.size_extents * self.extent_bytes

    def read(self, index: int) -> Payload:
        if not 0 <= index < self.size_extents:
            self._check(index)  # raises
        if index in self.delta:
            return self.delta[index]
        if self.base is None:
            return None
        return self.base.lookup(index)[1]

    def read_run(self, start: int, count: int) -> tuple[Payload, ...]:
        """``read`` of ``start`` .. ``start + count - 1`` in turn (the first extent outside
        the volume raises, as ``read`` would), one call for a whole file."""
        end = start + count
        if not (start >= 0 and end <= self.size_extents):
            for index in range(start, end):
                self._check(index)
        delta, base = self.delta, self.base
        out = []
        for index in range(start, end):
            if index in delta:
                out.append(delta[index])
            else:
                out.append(None if base is None else base.lookup(index)[1])
        return tuple(out)

    def write(self, index: int, payload: Payload) -> None:
        self._check(index)
        self.delta[index] = payload

    def write_many(self, items: dict[int, Payload]) -> None:
        size = self.size_extents
        for index in items:
            if not 0 <= index < size:
                self._check(index)  # raises, with the same message as ``write``
        self.delta.update(items)

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size_extents:
            raise IndexError(f"extent {index} outside volume of {self.size_extents} extents")

    def freeze(self) -> Layer | None:
        """Make the current content a shared layer and return it."""
        if self.delta:
            depth = 1 if self.base is None else self.base.depth + 1
            self.base = Layer(self.delta, self.base, depth)
            self.delta = {}
            if self.base.depth > MAX_CHAIN_DEPTH:
                self.base = Layer(self.base.flattened(), None, 1)
        return self.base

    def point_in_time_copy(self) -> VolumeData:
        """An O(1) copy that reads exactly this volume's content now."""
        return VolumeData(self.size_extents, self.extent_bytes, self.freeze())

    def replace_content(self, other: VolumeData) -> None:
        """This volume now reads exactly what ``other`` reads (instant restore)."""
        if other.size_extents > self.size_extents:
            raise ValueError("restore source is larger than the target volume")
        self.base = other.freeze()
        self.delta = {}

    def written(self) -> dict[int, Payload]:
        """Every extent ever written, in index order (the whole logical content)."""
        merged = self.base.flattened() if self.base is not None else {}
        merged.update(self.delta)
        return dict(sorted(merged.items()))

    def changed_since(self, layer: Layer | None) -> set[int]:
        """Extents written after ``layer`` was frozen from this volume's history."""
        changed: set[int] = set(self.delta)
        lyr = self.base
        while lyr is not None and lyr is not layer:
            changed.update(lyr.extents)
            lyr = lyr.parent
        if lyr is None and layer is not None:
            raise ValueError("layer is not in this volume's history")
        return changed

    def digest(self) -> str:
        h = hashlib.sha256()
        h.update(f"{self.size_extents}:{self.extent_bytes}".encode())
        for index, payload in self.written().items():
            if payload is not None:
                h.update(f"|{index}={payload!r}".encode())
        return h.hexdigest()
