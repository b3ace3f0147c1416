"""Transportable shadow copies imported on another host (VC-I11; vss-and-core.md §5.3).

A set created with ``VSS_VOLSNAP_ATTR_TRANSPORTABLE`` (only hardware providers make such
sets) carries its description in the Backup Components Document. The importing host's
service reads it, asks the same provider (installed there too) to ``LocateLuns``: the
shadow LUNs are presented to that host and become visible only then, after a rescan; their
disks come online read-only with no access path (SAN policy, automount off). The imported
copies carry ``VSS_VOLSNAP_ATTR_IMPORTED``; the originating host keeps its own record, and
deleting the copy on either host releases the LUN once (both records go).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.models import Attr, ShadowCopy, ShadowSet
from apprm_ref.sim.vss.service import VssService
from apprm_ref.sim.vss.xmldoc import parse_bcd


def import_snapshots(service: VssService, bcd_xml: str) -> list[ShadowCopy]:
    """IVssBackupComponents::ImportSnapshots on ``service``'s host; all or none."""
    bcd = parse_bcd(bcd_xml)
    if not bcd.shadows:
        refuse("VSS_E_NO_SNAPSHOTS_IMPORTED", "the document describes no transportable set")
    for sc in bcd.shadows:
        if not sc.attributes & Attr.TRANSPORTABLE:
            refuse("VSS_E_NO_SNAPSHOTS_IMPORTED", f"{{{sc.shadow_id}}} is not transportable")
        if sc.shadow_id in service.shadows:
            refuse("VSS_E_OBJECT_ALREADY_EXISTS", f"{{{sc.shadow_id}}} is already imported")
        if not sc.attributes & Attr.HARDWARE_ASSISTED:
            refuse("VSS_E_NO_SNAPSHOTS_IMPORTED", f"{{{sc.shadow_id}}}: not a hardware copy")
    world = service.world
    world.faults.check("vss.import", VssError, host=service.host)
    located: list[Any] = []
    try:
        for sc in bcd.shadows:
            provider = service.provider(sc.provider_id)
            target = service.target_of(sc)
            provider.locate_luns(world, [target], service.host)
            located.append((provider, target))
        imported = [_surface(service, sc) for sc in bcd.shadows]
    except Exception:
        for provider, target in reversed(located):
            provider.unlocate(world, [target], service.host)
        world.hosts.rescan(service.host)
        raise
    first = bcd.shadows[0]
    service.sets[first.set_id] = ShadowSet(
        first.set_id,
        first.attributes & 0xFFFF,
        first.created_at,
        [s.shadow_id for s in imported],
        bcd_xml,
    )
    return imported


def _surface(service: VssService, sc: ShadowCopy) -> ShadowCopy:
    guid = service._surface(service.target_of(sc))
    new = dataclasses.replace(
        sc,
        service_machine=service.host,
        attributes=sc.attributes | int(Attr.IMPORTED),
        device=guid,
        exposed="",
    )
    service.shadows[sc.shadow_id] = new
    return new
