"""The configuration checks of the SAP integration's troubleshooting (chapter 3; oracle-sap.md
§9.1-9.2): what ``util_sap -CHKCONF`` verifies, on the Oracle side and on the SAP side.

Each check gives a line; a failed one says what to fix. Nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.integrations.sap_config import SapConfig, missing
from apprm_ref.errors import ApprmError

UTIL_DEVICES = ("util_file", "util_file_online")
SPLIT_TYPES = ("online_split", "offline_split")


@dataclass(frozen=True)
class Check:
    side: str  # Oracle | SAP
    name: str
    ok: bool
    detail: str


def oracle_checks(cfg: SapConfig, ora: Any) -> list[Check]:
    """The database is reachable, open, in ARCHIVELOG mode and has no file in backup mode."""
    try:
        info = ora.database()
    except ApprmError as exc:
        return [Check("Oracle", "connect", False, f"database {cfg.sid} unreachable: {exc}")]
    out = [Check("Oracle", "connect", True, f"database {info.name} reached")]
    out.append(
        Check("Oracle", "open", info.status == "OPEN", f"instance is {info.status} (must be OPEN)")
    )
    arch = info.log_mode == "ARCHIVELOG"
    out.append(
        Check("Oracle", "archivelog", arch, f"{info.log_mode} (online backups need ARCHIVELOG)")
    )
    stuck = [f.name for f in ora.datafiles() if f.backup_status == "ACTIVE"]
    detail = f"in backup mode: {', '.join(stuck)}" if stuck else "no datafile in backup mode"
    out.append(Check("Oracle", "backup mode", not stuck, detail))
    return out


def ir_layout_check(cfg: SapConfig, ora: Any, host: Any) -> Check:
    """Datafiles alone on their volumes, or an instant recovery would revert control files,
    online logs or the SPFILE too (oracle-sap.md §2.4, OS-I11)."""
    from apprm_ref.core.integrations.oracle_config import OracleOptions, ir_problems

    try:
        problems = ir_problems(
            ora.file_layout(), lambda p: host.volumes_under(cfg.host, p), OracleOptions()
        )
    except ApprmError as exc:
        return Check("Oracle", "IR layout", False, f"layout unreadable: {exc}")
    detail = problems[0] if problems else "datafiles share no volume with other files"
    return Check("Oracle", "IR layout", not problems, detail)


def sap_checks(cfg: SapConfig, sap: Any) -> list[Check]:
    """The configuration is complete and ``init<SID>.sap`` selects the product (backint
    device, its parameter file, the split command and ``primary_db`` for split types)."""
    gaps = missing(cfg)
    out = [
        Check(
            "SAP", "configuration", not gaps, f"missing: {', '.join(gaps)}" if gaps else "complete"
        )
    ]
    try:
        prof = sap.profile()
    except ApprmError as exc:
        return [*out, Check("SAP", "profile", False, f"init{cfg.sid}.sap unreadable: {exc}")]
    out.append(Check("SAP", "profile", True, f"init{cfg.sid}.sap read ({len(prof)} parameters)"))
    dev = prof.get("backup_dev_type", "tape")
    out.append(
        Check("SAP", "backup_dev_type", dev in UTIL_DEVICES, f"{dev} (backint needs util_file*)")
    )
    par = prof.get("util_par_file")
    out.append(Check("SAP", "util_par_file", bool(par), par or "not set"))
    btype = prof.get("backup_type", "offline")
    if btype in SPLIT_TYPES:
        cmd = prof.get("split_cmd")
        out.append(Check("SAP", "split_cmd", bool(cmd), cmd or f"not set ({btype} needs it)"))
        db = prof.get("primary_db")
        out.append(Check("SAP", "primary_db", bool(db), db or "not set"))
    home = cfg.get("SAPDATA_HOME")
    if home and prof.get("sapdata_home") and prof["sapdata_home"] != home:
        out.append(Check("SAP", "SAPDATA_HOME", False, f"profile {prof['sapdata_home']} != {home}"))
    return out
