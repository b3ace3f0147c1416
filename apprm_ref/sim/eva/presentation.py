"""Presentation of vdisks to hosts as LUNs, and Continuous Access EVA DR groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.models import DrGroup, DrState, VdiskState

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend

MAX_LUN = 255  # (inferred) LUN 0 is the controller's own LUN on an EVA; vdisks use 1..255


class PresentationOps:
    """Mixin of :class:`EvaBackend`: present / unpresent and DR groups."""

    def present(self: EvaBackend, volume: str, host: str, lun: int | None = None) -> int:
        """Present ``volume`` to ``host``; the array picks the lowest free LUN unless given."""
        v = self.vdisk(volume)
        if v.state in (VdiskState.FAILED, VdiskState.INVALID):
            refuse("EVA_SNAPSHOT_INVALID", f"{volume} is {v.state.value}; cannot present it")
        if host in v.presentations:
            refuse("EVA_ALREADY_PRESENTED", f"{volume} is already presented to {host}")
        used = {n for n, _ in self.host_luns(host)}
        if lun is None:
            lun = next((n for n in range(1, MAX_LUN + 1) if n not in used), None)
            if lun is None:
                refuse("EVA_LUN_IN_USE", f"no free LUN left on host {host}")
        elif not 1 <= lun <= MAX_LUN:
            refuse("EVA_INVALID_PARAMETER", f"LUN {lun} outside 1..{MAX_LUN}")
        elif lun in used:
            refuse("EVA_LUN_IN_USE", f"LUN {lun} is already used on host {host}")
        self.world.faults.check("eva.present", EvaError, volume=volume, host=host)
        v.presentations[host] = lun
        v.presentations = dict(sorted(v.presentations.items()))
        self.index().luns.setdefault(host, {})[v.id] = lun
        self.world.emit("eva.present", array=self.name, volume=volume, host=host, lun=lun)
        return lun

    def unpresent(self: EvaBackend, volume: str, host: str) -> None:
        v = self.vdisk(volume)
        if host not in v.presentations:
            refuse("EVA_NOT_PRESENTED", f"{volume} is not presented to {host}")
        self.world.faults.check("eva.unpresent", EvaError, volume=volume, host=host)
        self.index().unpresent(v, [host])
        del v.presentations[host]
        self.world.emit("eva.unpresent", array=self.name, volume=volume, host=host)

    def host_luns(self: EvaBackend, host: str) -> list[tuple[int, str]]:
        """(LUN, vdisk id) of every vdisk presented to ``host`` (BlockStore)."""
        return sorted((lun, vid) for vid, lun in self.index().luns.get(host, {}).items())

    # --- Continuous Access EVA ---------------------------------------------------------

    def add_dr_group(
        self: EvaBackend,
        name: str,
        members: list[str],
        *,
        role: str = "destination",
        state: DrState = DrState.NORMAL,
        remote_array: str = "",
    ) -> DrGroup:
        """Declare a DR group; destination members are read-only to hosts."""
        if name in self.dr_groups:
            refuse("EVA_NAME_IN_USE", f"DR group {name} exists")
        if role not in ("source", "destination"):
            refuse("EVA_INVALID_PARAMETER", f"DR group role {role!r}")
        for vid in members:
            v = self.vdisk(vid)
            if v.is_target:
                refuse("EVA_INVALID_PARAMETER", f"{vid} is a replica; cannot join a DR group")
            if self.dr_group_of(vid) is not None:
                refuse("EVA_INVALID_PARAMETER", f"{vid} is already in a DR group")
        group = DrGroup(name, sorted(members), role, DrState(state), remote_array)
        self.dr_groups[name] = group
        for vid in group.members:
            self.vdisks[vid].read_only = role == "destination"
        return group

    def set_dr_state(self: EvaBackend, name: str, state: DrState | str) -> None:
        group = self.dr_groups.get(name)
        if group is None:
            refuse("EVA_NO_SUCH_OBJECT", f"no DR group {name}")
        group.state = DrState(state)
        self.world.emit("eva.dr_state", array=self.name, group=name, state=group.state.value)

    def dr_group_of(self: EvaBackend, volume: str) -> DrGroup | None:
        for name in sorted(self.dr_groups):
            if volume in self.dr_groups[name].members:
                return self.dr_groups[name]
        return None
