"""The SAP configuration on the cell manager (oracle-sap.md §9.1): per ``ORACLE_SID``,
what ``util_cmd -putopt/-getopt SAP <client>%<SID>`` reads and writes.

One IDB record (``AppConfig`` kind ``sap``) per SID: the options below and the
``Environment`` sublist (variables exported before BR*Tools start). Option names are the
product's (their spelling is inferred, §9.1); an unknown option or sublist is refused, and
the database password is never stored: ``CONNECT`` is ``<user>@<service>`` and
``CONNECT_PASSWORD`` a credential reference (``env:``/``file:``/``keyring:``, REL-I3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.records import AppConfig
from apprm_ref.core.repository import Repository
from apprm_ref.errors import ConfigError, NotFoundError

KIND = "sap"
ENVIRONMENT = "Environment"
DEFAULT_TMP_DIR = "/var/opt/omni/tmp"  # SAP-16: where "keep current" copies go

OPTIONS: dict[str, str] = {
    "ORACLE_HOME": "Oracle home directory",
    "SAPDATA_HOME": "SAP data home (sapbackup, saparch, sapreorg below it)",
    "BRTOOLS_HOME": "BR*Tools executable directory (the product's backint is linked there)",
    "CONNECT": "connect string <user>@<service> BR*Tools use (no password)",
    "CONNECT_PASSWORD": "credential reference of the connect user's password",
    "OS_USER": "OS user BR*Tools run as (ora<sid>)",
    "OS_GROUP": "OS group of that user (dba)",
    "TMP_DIR": "temp directory for the kept control files and redo logs",
    "ORA_NLS_CHARACTERSET": "database character set",
    "KEEP_FILES": "comma-separated extra files kept across an instant recovery",
}
ABSOLUTE = ("ORACLE_HOME", "SAPDATA_HOME", "BRTOOLS_HOME", "TMP_DIR")
REQUIRED = ("ORACLE_HOME", "SAPDATA_HOME", "BRTOOLS_HOME")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_SID_RE = re.compile(r"^[A-Z][A-Z0-9]{2}$")  # an SAP system ID: three characters


@dataclass
class SapConfig:
    sid: str
    host: str
    options: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)

    def to_app_config(self) -> AppConfig:
        return AppConfig(
            KIND,
            self.sid,
            self.host,
            {"options": dict(sorted(self.options.items())), ENVIRONMENT: dict(self.environment)},
        )

    @classmethod
    def from_app_config(cls, cfg: AppConfig) -> SapConfig:
        return cls(
            cfg.name, cfg.host, dict(cfg.data.get("options", {})), dict(cfg.data[ENVIRONMENT])
        )

    def get(self, name: str) -> str | None:
        return self.options.get(name)

    @property
    def tmp_dir(self) -> str:
        return self.options.get("TMP_DIR", DEFAULT_TMP_DIR)

    def shown(self) -> dict[str, Any]:
        """The record as printed: the password reference masked to its kind."""
        from apprm_ref.credentials import mask

        opts = dict(self.options)
        if "CONNECT_PASSWORD" in opts:
            opts["CONNECT_PASSWORD"] = mask(opts["CONNECT_PASSWORD"])
        return {"sid": self.sid, "host": self.host, "options": opts, ENVIRONMENT: self.environment}


def load(repo: Repository, sid: str) -> SapConfig | None:
    try:
        return SapConfig.from_app_config(repo.get_config(KIND, sid))
    except NotFoundError:
        return None


def require(repo: Repository, sid: str) -> SapConfig:
    cfg = load(repo, sid)
    if cfg is None:
        raise NotFoundError(f"no SAP configuration for {sid!r} (apprm sap config set)")
    return cfg


def check_sid(sid: str) -> str:
    if not _SID_RE.match(sid):
        raise ConfigError(f"{sid!r} is not an SAP system ID (3 characters, A-Z0-9)", field="sid")
    return sid


def put_option(cfg: SapConfig, name: str, value: str, sublist: str | None) -> bool:
    """``util_cmd -putopt``: set (or, with an empty value, delete) one option; whether the
    record changed. A bad name or value is refused before anything changes."""
    if sublist is not None:
        if sublist != ENVIRONMENT:
            raise ConfigError(f"unknown sublist {sublist!r} (only {ENVIRONMENT})", field="sublist")
        if not _VAR_RE.match(name):
            raise ConfigError(f"{name!r} is not an environment variable name", field="option")
        return _put(cfg.environment, name, value)
    if name not in OPTIONS:
        raise ConfigError(f"unknown SAP option {name!r}; known: {', '.join(OPTIONS)}", field=name)
    if value:
        _validate(name, value)
    return _put(cfg.options, name, value)


def _put(where: dict[str, str], name: str, value: str) -> bool:
    if not value:
        return where.pop(name, None) is not None
    changed = where.get(name) != value
    where[name] = value
    return changed


def _validate(name: str, value: str) -> None:
    if name in ABSOLUTE and not value.startswith("/"):
        raise ConfigError(f"{name} must be an absolute path, not {value!r}", field=name)
    if name == "CONNECT" and ("/" in value or not re.match(r"^[\w$#]+(@[\w.\-]+)?$", value)):
        raise ConfigError(
            "CONNECT is <user>@<service> with no password (give CONNECT_PASSWORD as a reference)",
            field=name,
        )
    if name == "CONNECT_PASSWORD":
        from apprm_ref.credentials import validate

        validate(value, name)


def get_option(cfg: SapConfig, name: str, sublist: str | None) -> str:
    """``util_cmd -getopt``; NotFoundError when the option is not set."""
    where = cfg.environment if sublist == ENVIRONMENT else cfg.options
    if sublist not in (None, ENVIRONMENT):
        raise ConfigError(f"unknown sublist {sublist!r} (only {ENVIRONMENT})", field="sublist")
    if name not in where:
        raise NotFoundError(f"option {name} is not set for {cfg.sid}")
    value = where[name]
    if name == "CONNECT_PASSWORD" and sublist is None:
        from apprm_ref.credentials import mask

        return mask(value)
    return value


def missing(cfg: SapConfig) -> list[str]:
    """The options a backup needs that are not set."""
    return [name for name in REQUIRED if name not in cfg.options]


def brtools_env(cfg: SapConfig) -> dict[str, str]:
    """What BR*Tools get exported (oracle-sap.md §7.1: ORACLE_SID, ORACLE_HOME and
    SAPDATA_HOME mandatory), then the Environment sublist."""
    env = {"ORACLE_SID": cfg.sid}
    for name in ("ORACLE_HOME", "SAPDATA_HOME"):
        if name in cfg.options:
            env[name] = cfg.options[name]
    env.update(cfg.environment)
    return env
