"""The capability names each driver family defines (what ``Capabilities.features`` may hold).

A check naming a feature outside its family's set, or a driver declaring one, fails the
suite: a typo must never turn into a silent skip.
"""

from __future__ import annotations

KNOWN_FEATURES: dict[str, frozenset[str]] = {
    "snapshot-array": frozenset(
        {
            "snapshot",
            "vsnap",
            "snapclone",
            "switch",
            "copy-back",
            "retain-source",
            "ca-eva",
            "present",
        }
    ),
    "split-mirror-array": frozenset(
        {
            "business-copy",
            "continuous-access",
            "cascade",
            "quick-split",
            "quick-restore",
            "reverse-restore",
            "exclude-list",
            "present",
            "pair-create",
        }
    ),
    "oracle": frozenset(
        {
            "online-backup",
            "offline-backup",
            "database-backup-mode",
            "tablespace-backup-mode",
            "backup-controlfile",
            "restore-controlfile",
            "recover-until-scn",
            "recover-until-time",
            "recover-until-sequence",
            "recover-until-cancel",
            "resetlogs",
        }
    ),
    "host": frozenset({"lvm", "freeze", "import"}),
}
