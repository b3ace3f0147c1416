"""What a driver can do, declared up front: the planner refuses an impossible spec and the
conformance suite skips what a driver does not declare.

Capability names form a closed enum (EXT-I4): a driver declaring, or a spec or conformance
case asking for, a name outside it is an error, never a silent "not supported".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import ConfigError
from apprm_ref.frozen_init import fast_init


class Capability(enum.StrEnum):
    # snapshot arrays (EVA)
    SNAPSHOT = "snapshot"
    VSNAP = "vsnap"
    SNAPCLONE = "snapclone"
    SWITCH = "switch"
    COPY_BACK = "copy-back"
    RETAIN_SOURCE = "retain-source"
    CA_EVA = "ca-eva"
    PRESENT = "present"
    # split-mirror arrays (XP)
    BUSINESS_COPY = "business-copy"
    CONTINUOUS_ACCESS = "continuous-access"
    CASCADE = "cascade"
    QUICK_SPLIT = "quick-split"
    QUICK_RESTORE = "quick-restore"
    REVERSE_RESTORE = "reverse-restore"
    EXCLUDE_LIST = "exclude-list"
    PAIR_CREATE = "pair-create"
    # hosts
    LVM = "lvm"
    FREEZE = "freeze"
    IMPORT = "import"
    # Oracle
    ONLINE_BACKUP = "online-backup"
    OFFLINE_BACKUP = "offline-backup"
    DATABASE_BACKUP_MODE = "database-backup-mode"
    TABLESPACE_BACKUP_MODE = "tablespace-backup-mode"
    BACKUP_CONTROLFILE = "backup-controlfile"
    RESTORE_CONTROLFILE = "restore-controlfile"
    RECOVER_UNTIL_SCN = "recover-until-scn"
    RECOVER_UNTIL_TIME = "recover-until-time"
    RECOVER_UNTIL_SEQUENCE = "recover-until-sequence"
    RECOVER_UNTIL_CANCEL = "recover-until-cancel"
    RESETLOGS = "resetlogs"
    # VSS requesters (drivers/vss.py)
    PRODUCT_REPLICA = "product-replica"  # commit() takes the targets the product made
    SPLIT_CREATION = "split-creation"  # Freeze and the commit are separate, observable steps
    VSS_RESTORE = "vss-restore"  # the restore events (InitializeForRestore ... PostRestore)
    BCD_XML = "bcd-xml"  # save_as_xml gives the BCD, metadata carries the WMD XML

    @classmethod
    def parse(cls, name: str | Capability) -> Capability:
        """The member named ``name``; ConfigError listing the known names otherwise."""
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(sorted(c.value for c in cls))
            raise ConfigError(
                f"unknown capability {name!r}; known: {known}", field="capability"
            ) from None

    @classmethod
    def parse_all(cls, names: Iterable[str | Capability]) -> frozenset[Capability]:
        key = names if isinstance(names, frozenset) else None
        if key is not None and key in _PARSED:  # drivers declare a few constant sets
            return _PARSED[key]
        parsed = frozenset(cls.parse(n) for n in names)
        if key is not None and len(_PARSED) < 256:
            _PARSED[key] = parsed
        return parsed


_PARSED: dict[frozenset[Any], frozenset[Capability]] = {}


@fast_init
@dataclass(frozen=True)
class Capabilities:
    kind: str  # the array protocol ("snapshot-array" | "split-mirror-array") or "host", "oracle"
    vendor: str = ""
    model: str = ""
    features: frozenset[Capability] = field(default_factory=frozenset)
    limits: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", Capability.parse_all(self.features))

    def has(self, feature: str | Capability) -> bool:
        return feature in self.features or Capability.parse(feature) in self.features

    def missing(self, needed: Iterable[Capability]) -> list[Capability]:
        """The capabilities of ``needed`` this driver does not declare, sorted."""
        return sorted(c for c in needed if c not in self.features)

    def limit(self, name: str, default: int | None = None) -> int | None:
        return self.limits.get(name, default)
