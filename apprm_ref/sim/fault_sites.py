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
    "eva.query": "EVA: an SMI-S enumerate/get of vdisks fails",
    "eva.delete_reply_lost": "EVA: a vdisk is deleted but the SMI-S reply is lost",
    "eva.present_reply_lost": "EVA: a vdisk is presented but the SMI-S reply is lost",
    "xp.pairdelete": "XP: pairsplit -S (pair delete) fails",
    "xp.split_reply_lost": "XP: the pairs are split but the CCI reply is lost (EX_ATTHOR)",
    "host.freeze": "Host: freezing a file system fails",
    "host.thaw": "Host: thawing a frozen file system fails",
    "host.mount": "Host: mounting a file system fails",
    "host.script": "Host: a pre-/post-exec script cannot be run",
    "oracle.open": "Oracle: ALTER DATABASE OPEN fails",
    "oracle.shutdown": "Oracle: SHUTDOWN fails",
    "oracle.crash": "Oracle: the instance crashes right after BEGIN BACKUP (ORA-03113)",
    "idb.commit": "IDB: a replica write fails to commit",
    "idb.disk_full": "IDB: a replica write fails, the IDB's disk is full",
    "lab.save": "Lab: writing the lab archive fails",
    "eva.normalize_fail": "EVA: a snapclone's normalization fails (the clone is left failed)",
    "eva.reply_slow": "EVA: an SMI-S reply comes late, within the client's timeout",
    "xp.copy_psue": "XP: a pair copy a host waits on fails and the pair suspends (PSUE)",
    "xp.reply_slow": "XP: a CCI reply from the HORCM instance comes late, within its timeout",
    "vss.identify": "VSS: a writer fails Identify (left out of the metadata, FAILED_AT_IDENTIFY)",
    "vss.prepare_snapshot": "VSS: a writer vetoes PrepareForSnapshot (retryable error)",
    "vss.freeze": "VSS: a writer vetoes Freeze (retryable error); the set is aborted",
    "vss.backup_complete": "VSS: a writer fails BackupComplete (its logs are not truncated)",
    "vss.provider_commit": "VSS: the hardware provider's CommitSnapshots fails",
    "vss.import": "VSS: importing a transportable shadow-copy set fails",
    "exchange.mount": "Exchange: mounting a database fails (JET_errDiskIO)",
    "exchange.freeze": "Exchange: the store writer fails at Freeze (the backup is vetoed)",
    "exchange.ship": "Exchange: copying a closed log to the passive copy fails (it stays queued)",
    "exchange.eseutil": "Exchange: eseutil cannot read a replica file (JET_errDiskIO)",
}

# A slow reply still arrives before the client gives up: pywbem's WBEMConnection and RAID
# Manager's HORCM_MON remote timeout both default to 30 s (protocols.md, "SMI-S client" and
# "horcm.conf": timeout=30; 3000 x 10 ms). Past that the reply is lost (the *_reply_lost sites).
REPLY_TIMEOUT_S = 30.0
SLOW_REPLY_S = (1.0, REPLY_TIMEOUT_S - 1.0)

# The first sites draw from the world's faults stream at every call while any rule is armed,
# as they always did, so recorded fault plans replay to the same digests; every later site
# draws only when an armed rule's pattern names it.
DRAW_ALWAYS = frozenset(list(SITES)[:18])


def matching(pattern: str) -> list[str]:
    """The catalogued sites an fnmatch pattern arms, in catalogue order."""
    return [site for site in SITES if fnmatch.fnmatchcase(site, pattern)]
