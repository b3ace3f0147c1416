"""What one EVA session's steps settle for its later ones (typed, checked by mypy)."""

from __future__ import annotations

from dataclasses import dataclass, field

from apprm_ref.types import ReplicaType


@dataclass
class SnapshotSessionState:
    """The replica type ``check`` chose (the spec's, or snapclone forced by IR) for ``create``."""

    replica_type: ReplicaType | None = None
    rotate_after: list[str] = field(default_factory=list)  # ids given up once the new one exists
