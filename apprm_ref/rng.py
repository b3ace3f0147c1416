"""Named random streams derived from one seed.

A stream's seed is a SHA-256 of (world seed, name), so it is stable across Python runs and
independent of the order in which streams are first used.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Streams:
    """A family of ``random.Random`` streams keyed by name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def get(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = random.Random(derive_seed(self.seed, name))
            self._streams[name] = stream
        return stream

    def state(self) -> dict[str, object]:
        """Plain-data state of every stream used so far (for world save)."""
        return {name: _encode_state(s.getstate()) for name, s in sorted(self._streams.items())}

    def restore(self, state: dict[str, object]) -> None:
        for name, st in state.items():
            self.get(name).setstate(_decode_state(st))


def _encode_state(st: tuple) -> list:
    version, internal, gauss = st
    return [version, list(internal), gauss]


def _decode_state(st: object) -> tuple:
    version, internal, gauss = st  # type: ignore[misc]
    return (version, tuple(internal), gauss)
