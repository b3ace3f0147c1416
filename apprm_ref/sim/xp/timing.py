"""XP copy rates and command latencies.

A *track* of the simulator is one extent of :class:`~apprm_ref.sim.storage.VolumeData`
(the real BC bitmap granularity is a 256 KiB track or a cylinder; we keep one bit per
extent so difference bitmaps stay as small as the changed data). Copy pace follows
RAID Manager's ``-c <pace>`` (1..15, ShadowImage default 3, protocols.md 2.4). The rates are
**(inferred)** orders of magnitude (BC internal copy in the hundreds of MB/s, CA over a
link slower); every value can be overridden per array through ``XpBackend.timing``.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.persist import persistable
from apprm_ref.sim.storage import MIB

DEFAULT_PACE = 3


@persistable("xp.Timing")
@dataclass
class XpTiming:
    bc_bytes_per_s_per_pace: float = 40.0 * MIB  # (inferred) BC copy rate per pace step
    ca_bytes_per_s_per_pace: float = 15.0 * MIB  # (inferred) CA copy over the link
    steady_split_s: float = 2.0  # (inferred) COPY(SP): flush of pending differences
    quick_split_s: float = 2.0  # (inferred) PSUS(SP) background copy after a quick split
    quick_restore_s: float = 1.0  # (inferred) quick restore: LDEV swap, no data copy
    min_copy_s: float = 1.0  # (inferred) a copy with nothing to do still takes a moment

    def copy_seconds(
        self, tracks: int, extent_bytes: int, *, pace: int = DEFAULT_PACE, remote: bool = False
    ) -> float:
        """Simulated seconds to copy ``tracks`` extents at ``pace``."""
        per_pace = self.ca_bytes_per_s_per_pace if remote else self.bc_bytes_per_s_per_pace
        rate = per_pace * max(1, min(15, pace))
        return max(self.min_copy_s, tracks * extent_bytes / rate)
