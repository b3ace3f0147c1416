"""VSS backup specification options (vss-and-core.md §10), validated at spec creation.

Keys of a VSS spec's ``application`` mapping (the array's options, rotation included, stay
in ``replication``; a ``backup_system`` makes the backup transportable and the replication's
``mount`` options say whether the replica is mounted there):

====================  ================================================================  =========
key                   meaning                                                           default
====================  ================================================================  =========
track_replica         track the replica for instant recovery (VSSDB)                    true
keep_replica          keep the replica after the backup; forced on by tracking          true
replica_type          default (the array options') | clone | snapshot; a choice only     default
                      when tracking is off (VC-I15)
backup_type           full | copy | incremental | differential (a writer whose schema    full
                      lacks the type backs up FULL, VC-P7)
configuration_check   strict | non-strict | disabled: a component whose volumes hold     strict*
                      other data cannot be restored alone
====================  ================================================================  =========

``*`` (inferred) default, configurable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import ConfigError

KEYS = ("track_replica", "keep_replica", "replica_type", "backup_type", "configuration_check")
REPLICA_TYPES = ("default", "clone", "snapshot")
BACKUP_TYPES = ("full", "copy", "incremental", "differential")
CHECKS = ("strict", "non-strict", "disabled")


@dataclass(frozen=True)
class VssOptions:
    track_replica: bool = True
    keep_replica: bool = True
    replica_type: str = "default"
    backup_type: str = "full"
    configuration_check: str = "strict"


def _bool(raw: dict[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError("must be true or false", field=f"application.{key}")
    return value


def _choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise ConfigError(f"must be one of {', '.join(choices)}", field=f"application.{key}")
    return str(value)


def parse_vss_options(raw: dict[str, Any], *, spec_name: str) -> VssOptions:
    unknown = sorted(k for k in raw if k not in KEYS)
    if unknown:
        raise ConfigError(
            f"unknown VSS option (known: {', '.join(KEYS)})", field=f"application.{unknown[0]}"
        )
    track = _bool(raw, "track_replica", True)
    keep = _bool(raw, "keep_replica", True)
    if track and not keep:
        raise ConfigError(
            "the replica is kept while it is tracked for instant recovery (keep_replica is "
            "forced on)",
            field="application.keep_replica",
        )
    kind = _choice(raw, "replica_type", REPLICA_TYPES, "default")
    if track and kind != "default":
        raise ConfigError(
            "the replica type is chosen only when the replica is not tracked for instant "
            "recovery (track_replica: false)",
            field="application.replica_type",
        )
    return VssOptions(
        track_replica=track,
        keep_replica=keep,
        replica_type=kind,
        backup_type=_choice(raw, "backup_type", BACKUP_TYPES, "full"),
        configuration_check=_choice(raw, "configuration_check", CHECKS, "strict"),
    )
