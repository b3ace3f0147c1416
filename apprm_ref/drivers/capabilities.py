"""What a driver can do, declared up front: the planner refuses an impossible spec and the
conformance suite skips what a driver does not declare."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Capabilities:
    kind: str  # "snapshot-array" | "split-mirror-array" | "host" | "oracle" | "sap" | "vss"
    vendor: str = ""
    model: str = ""
    features: frozenset[str] = field(default_factory=frozenset)
    limits: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    def has(self, feature: str) -> bool:
        return feature in self.features

    def limit(self, name: str, default: int | None = None) -> int | None:
        return self.limits.get(name, default)
