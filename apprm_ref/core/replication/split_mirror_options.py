"""XP backup options (``arrays.md`` §3.5), validated when a specification is created.

Keys of the spec's ``replication`` mapping (backup-system mount options are split off
before, by ``planner.split_mount_options``):

====================  ========================================================  ==========
key                   meaning                                                   default
====================  ========================================================  ==========
mu                    MU numbers forming the replica set: ``0``, ``"0-2"``,     ``0``*
                      ``"0,1,2"`` or a list; the set size is their number
sync_at_start         resync a pair that is not PAIR before splitting it        true*
prepare_next_mirror   at the end, start resyncing the next MU of the rotation   false*
keep_replica          leave the S-VOLs split after the session                  true
keep_for_ir           track the replica for instant recovery (forces keep)      true*
wait_for_replica      not meaningful on XP: accepted with a warning (F17)       false
create_pairs          paircreate a SMPL pair onto a free S-VOL                  false*
split_mode            steady | quick                                            steady*
restore_method        default IR method: normal | quick (None: quick unless     None
                      wait_for_replica, as the product chose)
replica_conf          local (BC) | combined (CA+BC: the sources are CA P-VOLs,  local
                      the replica is split on the remote array, §3.4)
====================  ========================================================  ==========

``*`` marks **(inferred)** defaults, configurable here. With ``replica_conf: combined``
``keep_for_ir`` defaults to false and cannot be set: instant recovery would have to copy
back over the CA link, which is not modelled **(inferred restriction)**.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apprm_ref.core.replication.options import boolean, choice, reject_unknown
from apprm_ref.drivers.capabilities import Capability
from apprm_ref.errors import ConfigError
from apprm_ref.frozen_init import fast_init

MAX_MU = 2  # Business Copy L1 MUs are 0..2 (arrays.md 3.1)
KEYS = (
    "mu",
    "sync_at_start",
    "prepare_next_mirror",
    "keep_replica",
    "keep_for_ir",
    "wait_for_replica",
    "create_pairs",
    "split_mode",
    "restore_method",
    "replica_conf",
)
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


@fast_init
@dataclass(frozen=True)
class XpOptions:
    mus: tuple[int, ...] = (0,)
    sync_at_start: bool = True
    prepare_next_mirror: bool = False
    keep_replica: bool = True
    keep_for_ir: bool = True
    wait_for_replica: bool = False
    create_pairs: bool = False
    split_mode: str = "steady"
    restore_method: str | None = None
    replica_conf: str = "local"

    @property
    def default_restore(self) -> str:
        """Quick restore unless *wait for the replica to complete* is set (§3.7)."""
        if self.restore_method is not None:
            return self.restore_method
        return "normal" if self.wait_for_replica else "quick"


def parse_mu_list(value: Any) -> tuple[int, ...]:
    """``0`` | ``"0-2"`` | ``"0,1,2"`` | ``[0, 1]`` -> (0, 1, 2) in the order given."""
    field = "replication.mu"
    if isinstance(value, bool):
        raise ConfigError("must be MU numbers like 0, '0-2' or '0,1,2'", field=field)
    if isinstance(value, int):
        items: list[int] = [value]
    elif isinstance(value, list | tuple):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ConfigError("a list of MU numbers must hold whole numbers", field=field)
        items = list(value)
    elif isinstance(value, str):
        items = _from_text(value)
    else:
        raise ConfigError("must be MU numbers like 0, '0-2' or '0,1,2'", field=field)
    if not items:
        raise ConfigError("names no MU number", field=field)
    bad = [m for m in items if not 0 <= m <= MAX_MU]
    if bad:
        raise ConfigError(f"MU#{bad[0]} is out of range 0..{MAX_MU}", field=field)
    if len(set(items)) != len(items):
        raise ConfigError("an MU number is listed twice", field=field)
    return tuple(items)


def _from_text(text: str) -> list[int]:
    m = _RANGE.match(text)
    try:
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise ConfigError(f"range {text!r} runs backwards", field="replication.mu")
            return list(range(lo, hi + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"{text!r} is not an MU list like '0-2' or '0,1,2'", field="replication.mu"
        ) from None


def needs(opts: XpOptions) -> frozenset[Capability]:
    """The capabilities these options require of the array's driver (EXT-I4)."""
    out = {Capability.BUSINESS_COPY}
    if opts.split_mode == "quick":
        out.add(Capability.QUICK_SPLIT)
    if opts.restore_method == "quick":
        out.add(Capability.QUICK_RESTORE)
    if opts.create_pairs:
        out.add(Capability.PAIR_CREATE)
    if opts.replica_conf == "combined":
        out.add(Capability.CONTINUOUS_ACCESS)
    return frozenset(out)


def parse_xp_options(raw: dict[str, Any], *, spec_name: str) -> XpOptions:
    reject_unknown(raw, KEYS, "XP")
    conf = choice(raw, "replica_conf", ("local", "combined"), "local")
    track = boolean(raw, "keep_for_ir", conf == "local")
    if track and conf == "combined":
        raise ConfigError(
            "instant recovery is not available for CA+BC replicas", field="replication.keep_for_ir"
        )
    keep = boolean(raw, "keep_replica", True)
    if track and not keep:
        raise ConfigError(
            "keeping the replica is forced on while it is kept for instant recovery",
            field="replication.keep_replica",
        )
    return XpOptions(
        mus=parse_mu_list(raw.get("mu", 0)),
        sync_at_start=boolean(raw, "sync_at_start", True),
        prepare_next_mirror=boolean(raw, "prepare_next_mirror", False),
        keep_replica=keep,
        keep_for_ir=track,
        wait_for_replica=boolean(raw, "wait_for_replica", False),
        create_pairs=boolean(raw, "create_pairs", False),
        split_mode=choice(raw, "split_mode", ("steady", "quick"), "steady"),
        restore_method=choice(raw, "restore_method", ("normal", "quick"), None),
        replica_conf=conf,
    )
