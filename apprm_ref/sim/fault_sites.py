"""The catalogue of named fault sites: every ``world.faults.check``/``fires`` site, with the
device failure it stands for. ``lab fault arm`` and scenario ``fault:`` steps refuse a site
pattern that matches none of them, so a typo cannot arm a fault that never fires.

A test keeps this list and the call sites in the sources equal.
"""

from __future__ import annotations

import fnmatch

SITES: dict[str, str] = {
    "eva.create": "EVA: creating a vdisk, snapshot, vsnap or snapclone fails",
    "eva.delete": "EVA: deleting a vdisk fails",
    "eva.present": "EVA: presenting a vdisk to a host fails",
    "eva.unpresent": "EVA: unpresenting a vdisk from a host fails",
    "eva.restore": "EVA: an instant-recovery switch or copy-back fails to start",
    "xp.paircreate": "XP: paircreate of a pair fails",
    "xp.pairsplit": "XP: pairsplit of a pair fails",
    "xp.pairresync": "XP: pairresync of a pair fails",
    "xp.restore": "XP: a reverse resync (instant recovery) fails to start",
    "xp.restore_abort": "XP: a running reverse resync aborts (the P-VOL is left inconsistent)",
    "xp.ca_create": "XP: creating a Continuous Access pair fails",
    "oracle.begin_backup": "Oracle: ALTER DATABASE BEGIN BACKUP fails",
    "oracle.end_backup": "Oracle: ALTER DATABASE END BACKUP fails",
    "oracle.log_switch": "Oracle: a log switch fails",
    "oracle.archive": "Oracle: ARCn fails to archive a closed group",
    "oracle.delete_archive": "Oracle: deleting an archived log fails",
    "oracle.startup": "Oracle: STARTUP fails",
    "oracle.recover": "Oracle: media recovery fails",
}


def matching(pattern: str) -> list[str]:
    """The catalogued sites an fnmatch pattern arms, in catalogue order."""
    return [site for site in SITES if fnmatch.fnmatchcase(site, pattern)]
