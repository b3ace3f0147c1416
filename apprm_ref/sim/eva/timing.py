"""EVA latencies and background copy rates (seconds, bytes per second).

No public source gave measured Command View / SMI-S latencies for XCS 6.x; the values are
**(inferred)** orders of magnitude from product knowledge (SSSU / SMI-S calls take seconds,
snapclone unsharing runs at tens to a few hundred MB/s depending on load), and every one
can be overridden per array through ``EvaBackend.timing``.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.persist import persistable
from apprm_ref.sim.storage import MIB


@persistable("eva.Timing")
@dataclass
class EvaTiming:
    create_snapshot_s: float = 5.0  # (inferred) one snapshot / vsnap through Command View
    create_snapclone_s: float = 8.0  # (inferred) snapclone creation before unsharing starts
    per_extra_target_s: float = 1.0  # (inferred) each further target in the same request
    delete_s: float = 4.0  # (inferred)
    present_s: float = 3.0  # (inferred) present or unpresent
    query_s: float = 0.5  # (inferred) an SMI-S enumerate / get
    switch_s: float = 20.0  # (inferred) IR switch of disks (unpresent + present + delete)
    copy_back_start_s: float = 5.0  # (inferred) start of a copy-back (data visible at once)
    normalize_bytes_per_s: float = 100.0 * MIB  # (inferred) snapclone unsharing rate
    copy_back_bytes_per_s: float = 150.0 * MIB  # (inferred) copy-back background rate

    def create_s(self, kinds: list[str]) -> float:
        if not kinds:
            return 0.0
        first = self.create_snapclone_s if "snapclone" in kinds else self.create_snapshot_s
        return first + self.per_extra_target_s * (len(kinds) - 1)
