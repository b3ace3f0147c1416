"""Exchange backup specification and restore options (vss-and-core.md §6.3, §6.5, §10, §11).

Keys of an Exchange spec's ``application`` mapping, beside the VSS ones
(``vss_options.py``); the spec's ``objects`` are storage group names:

=================  ==================================================================  =======
key                meaning                                                             default
=================  ==================================================================  =======
copy               active | passive: back up the storage groups' active copy (store    active
                   writer) or their LCR/CCR passive copy (replica writer, 2007)
consistency_check  check the replica on the backup system (eseutil /k of the databases  false*
                   and of every required log); a storage group that fails is not
                   successful and keeps its logs (VC-I20)
omnirc             ``{OB2VSS_EXCHANGE_WRITER_STABILIZATION: minutes}``: the wait after   10
                   each Exchange writer backup; 0 disables it
=================  ==================================================================  =======

``*`` (inferred) default. Restore options (``ExchangeRecoveryOptions``): ``components``
(storage group names, or ``SG\\database``), ``recover``, ``check_before_ir`` (the
consistency check of the replica before it is restored), and ``recovery_group`` (restore one
database into the named recovery storage group instead of the original, Exchange 2007).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.integrations.vss_options import VssOptions, parse_vss_options
from apprm_ref.core.integrations.vss_restore import VssRecoveryOptions
from apprm_ref.errors import ConfigError

EXCHANGE_KEYS = ("copy", "consistency_check", "omnirc")
STABILIZATION = "OB2VSS_EXCHANGE_WRITER_STABILIZATION"
DEFAULT_STABILIZATION_MINUTES = 10


@dataclass(frozen=True)
class ExchangeOptions(VssOptions):
    copy: str = "active"
    consistency_check: bool = False
    stabilization: float = DEFAULT_STABILIZATION_MINUTES * 60.0  # seconds


@dataclass(frozen=True)
class ExchangeRecoveryOptions(VssRecoveryOptions):
    check_before_ir: bool = False
    recovery_group: str = ""  # restore into this recovery storage group (2007)


def _stabilization(raw: Any) -> float:
    if raw is None:
        return DEFAULT_STABILIZATION_MINUTES * 60.0
    if not isinstance(raw, dict) or any(k != STABILIZATION for k in raw):
        raise ConfigError(f"omnirc takes only {STABILIZATION}", field="application.omnirc")
    minutes = raw.get(STABILIZATION, DEFAULT_STABILIZATION_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 1440:
        raise ConfigError(
            "minutes from 0 (no wait) to 1440", field=f"application.omnirc.{STABILIZATION}"
        )
    return minutes * 60.0


def parse_exchange_options(raw: dict[str, Any], *, spec_name: str) -> ExchangeOptions:
    vss = parse_vss_options(
        {k: v for k, v in raw.items() if k not in EXCHANGE_KEYS}, spec_name=spec_name
    )
    copy = raw.get("copy", "active")
    if copy not in ("active", "passive"):
        raise ConfigError("must be active or passive", field="application.copy")
    check = raw.get("consistency_check", False)
    if not isinstance(check, bool):
        raise ConfigError("must be true or false", field="application.consistency_check")
    return ExchangeOptions(
        **vss.__dict__,
        copy=str(copy),
        consistency_check=check,
        stabilization=_stabilization(raw.get("omnirc")),
    )
