"""An SAP system of an estate: its config entry and its builder.

For the SAP application kind's descriptor (``apprm_ref/drivers/builtin_kinds.py``)::

    config="apprm_ref.sim.sap.estate:SapCfg",
    builder="apprm_ref.sim.sap.estate:build_sap",
    persisted=("apprm_ref.sim.sap.system",),

An estate declares the Oracle database first and the SAP system on it after it::

    applications:
      - {type: oracle, name: PRD, host: db1}
      - {type: sap, name: SAP_PRD, database: PRD, sap_users: [DIA01, BTC01],
         profile: {backup_type: online_split, split_cmd: "/opt/omni/lbin/splitint $"}}

Defaults follow the database's layout: ``oracle_home`` and ``sapdata_home`` are the
directory of its first control file (so ``init<SID>.sap``/``.utl`` are in
``<oracle_home>/dbs``), ``sapbackup`` and ``sapreorg`` are under ``sapdata_home``, and
``saparch`` is the database's archive destination (``log_archive_dest``). ``profile`` holds
``init<SID>.sap`` parameters (checked as BR*Tools reads them, BR0163E/BR0164E become a
ConfigError), ``utl`` the vendor's ``init<SID>.utl`` parameters (any names).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.errors import ConfigError
from apprm_ref.sim.sap import profile, textfiles
from apprm_ref.sim.sap.messages import BrError
from apprm_ref.sim.sap.system import SapSystem

DEFAULT_PROFILE = {
    "backup_mode": "all",
    "backup_type": "online",
    "backup_dev_type": "util_file",
}


class SapCfg(BaseModel):
    """An SAP R/3 system on an Oracle database of the same estate."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["sap"]
    name: str
    database: str  # the Oracle application's name
    sid: str | None = None  # default: the database's SID
    oracle_home: str | None = None
    sapdata_home: str | None = None
    sapbackup: str | None = None
    saparch: str | None = None
    sapreorg: str | None = None
    sap_users: list[str] = Field(default_factory=list)  # SAP work processes connected
    profile: dict[str, str | list[str]] = Field(default_factory=dict)
    utl: dict[str, str | list[str]] = Field(default_factory=dict)


def build_sap(world: Any, cfg: SapCfg | dict[str, Any]) -> SapSystem:
    """Add the SAP system to ``world`` and write its two profiles on the database host."""
    if isinstance(cfg, dict):
        cfg = SapCfg.model_validate(cfg)
    db = world.apps.get(cfg.database)
    if db is None or getattr(db, "kind", None) != "oracle":
        raise ConfigError(
            f"SAP system {cfg.name}: no Oracle database {cfg.database!r} declared before it",
            field="applications.database",
        )
    home = db.layout.control_files[0].rsplit("/", 1)[0]
    data_home = cfg.sapdata_home or home
    sid = (cfg.sid or db.sid).upper()
    sap = SapSystem(
        name=cfg.name,
        sid=sid,
        database=cfg.database,
        host=db.host,
        oracle_home=cfg.oracle_home or home,
        sapdata_home=data_home,
        sapbackup=cfg.sapbackup or f"{data_home}/sapbackup",
        saparch=cfg.saparch or db.layout.archive_dest,
        sapreorg=cfg.sapreorg or f"{data_home}/sapreorg",
        sap_users=list(cfg.sap_users),
    )
    world.add_app(sap)
    write_profiles(sap, {**DEFAULT_PROFILE, "util_par_file": f"init{sid}.utl", **cfg.profile},
                   cfg.utl)  # fmt: skip
    return sap


def _values(params: dict[str, Any]) -> dict[str, profile.Value]:
    return {k: tuple(v) if isinstance(v, list | tuple) else str(v) for k, v in params.items()}


def write_profiles(
    sap: SapSystem, sap_params: dict[str, Any], utl: dict[str, Any], host: str | None = None
) -> None:
    """Write ``init<SID>.sap`` (checked as BR*Tools reads it) and ``init<SID>.utl`` on
    ``host`` (default the SAP host; a backup host running BR*Tools needs its own)."""
    sap_prof = profile.Profile(sap.sap_profile, _values(sap_params))
    text = profile.write(sap_prof, f"init{sap.sid}.sap: BR*Tools profile of {sap.sid}")
    try:
        profile.parse_sap(text, sap.sap_profile)
    except BrError as exc:
        raise ConfigError(" / ".join(exc.lines), field="applications.profile") from None
    hosts, host = sap.world.hosts, host or sap.host
    textfiles.write(hosts, host, sap.sap_profile, text)
    utl_prof = profile.Profile(sap.utl_profile, _values(utl))
    utl_text = profile.write(utl_prof, f"init{sap.sid}.utl: backup utility parameters")
    textfiles.write(hosts, host, sap.utl_profile, utl_text)


def demo_system(seed: int = 1, **cfg: Any) -> tuple[Any, SapSystem]:
    """The Oracle test estate (:func:`apprm_ref.sim.oracle.estate.build_estate`: host
    ``db1``, database ``PRD`` open) plus SAP system ``SAP_PRD`` on it."""
    from apprm_ref.sim.oracle.estate import build_estate

    est = build_estate(seed)
    sap = build_sap(est.world, {"type": "sap", "name": "SAP_PRD", "database": "PRD", **cfg})
    return est.world, sap
