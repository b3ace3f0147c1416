"""Oracle integration configuration (reference 2.1-2.4): what is stored per database, the
spec's ``omnirc``-style options, the IR volume check, and keep-copy file names.

Passwords are never stored or shown in clear (REL-I3): a configuration keeps a reference
(``env:``, ``file:``, ``keyring:``, validated when configured) or a password encrypted by the
caller's ``seal`` (the CLI's: Fernet under the lab's key file, :mod:`apprm_ref.credentials`);
a real-driver factory resolves it at connect time with :func:`password_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from apprm_ref import credentials
from apprm_ref.core.records import AppConfig
from apprm_ref.drivers.oracle import FileLayout
from apprm_ref.errors import ConfigError, NotFoundError
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import VolumeRef

DEFAULT_TMP_DIR = "/var/opt/omni/tmp"
BOOL_VARS = ("ZDB_ORA_INCLUDE_CF_OLF", "ZDB_ORA_INCLUDE_SPF", "ZDB_ORA_NO_CHECKCONF_IR")


@dataclass(frozen=True)
class Login:
    user: str
    service: str = ""
    password_ref: str = ""  # env:/file:/keyring: reference or fernet: token; never clear

    def __repr__(self) -> str:
        return f"Login(user={self.user!r}, service={self.service!r}, password=****)"

    def plain(self) -> dict[str, str]:
        return {"user": self.user, "service": self.service, "password_ref": self.password_ref}

    def shown(self) -> dict[str, str]:
        """As displayed: the credential masked to its kind (``env:****``)."""
        return {**self.plain(), "password_ref": credentials.mask(self.password_ref)}


def password_of(login: Login, home: Path) -> str:
    """The clear password of ``login`` for a real driver's connection (never for output)."""
    return credentials.resolve(login.password_ref, home)


@dataclass(frozen=True)
class OracleConfig:
    sid: str
    host: str
    oracle_home: str
    target: Login
    catalog: Login | None = None
    ctlcp_location: str | None = None
    tmp_dir: str = DEFAULT_TMP_DIR

    def to_app_config(self) -> AppConfig:
        data: dict[str, Any] = {
            "oracle_home": self.oracle_home,
            "target": self.target.plain(),
            "catalog": None if self.catalog is None else self.catalog.plain(),
            "ctlcp_location": self.ctlcp_location,
            "tmp_dir": self.tmp_dir,
        }
        return AppConfig("oracle", self.sid, self.host, data)

    @classmethod
    def from_app_config(cls, cfg: AppConfig) -> OracleConfig:
        d = cfg.data
        cat = d.get("catalog")
        return cls(
            sid=cfg.name,
            host=cfg.host,
            oracle_home=d.get("oracle_home", ""),
            target=Login(**d["target"]),
            catalog=None if not cat else Login(**cat),
            ctlcp_location=d.get("ctlcp_location"),
            tmp_dir=d.get("tmp_dir") or DEFAULT_TMP_DIR,
        )


Seal = Callable[[str], str]  # clear password -> stored credential (encrypted)


def _secret(password: str | None, ref: str | None, field: str, seal: Seal | None) -> str:
    """A validated reference, or the password sealed; errors never echo either."""
    if ref:
        return credentials.validate(ref, field)
    if not password:
        raise ConfigError(
            f"a password reference ({credentials.FORMS}) or a password is required", field=field
        )
    if seal is None:
        raise ConfigError("no secret store to keep the password in; use a reference", field=field)
    return seal(password)


def make_config(
    *,
    sid: str,
    host: str,
    oracle_home: str,
    user: str,
    password: str | None = None,
    password_ref: str | None = None,
    service: str = "",
    catalog_user: str | None = None,
    catalog_password: str | None = None,
    catalog_password_ref: str | None = None,
    catalog_service: str = "",
    ctlcp_location: str | None = None,
    tmp_dir: str = DEFAULT_TMP_DIR,
    seal: Seal | None = None,
) -> OracleConfig:
    """``util_oracle8.pl -config``: validate the references, seal the passwords, build the
    record."""
    if user.lower() == "internal":
        raise ConfigError("user 'internal' cannot be used; configure 'system'", field="user")
    for name, path in (("ctlcp_location", ctlcp_location), ("tmp_dir", tmp_dir)):
        if path is not None and not path.startswith("/"):
            raise ConfigError("must be an absolute path", field=name)
    catalog = None
    if catalog_user:
        catalog = Login(
            catalog_user,
            catalog_service,
            _secret(catalog_password, catalog_password_ref, "catalog_password", seal),
        )
    return OracleConfig(
        sid=sid,
        host=host,
        oracle_home=oracle_home,
        target=Login(user, service, _secret(password, password_ref, "password", seal)),
        catalog=catalog,
        ctlcp_location=ctlcp_location,
        tmp_dir=tmp_dir,
    )


def load_config(repo: Any, sid: str) -> OracleConfig | None:
    try:
        return OracleConfig.from_app_config(repo.get_config("oracle", sid))
    except NotFoundError:
        return None


# --- spec options -----------------------------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class OracleOptions:
    include_cf_olf: bool = False  # ZDB_ORA_INCLUDE_CF_OLF
    include_spf: bool = False  # ZDB_ORA_INCLUDE_SPF
    no_checkconf_ir: bool = False  # ZDB_ORA_NO_CHECKCONF_IR
    backup_mode: str = "database"  # database (10g+) | tablespace
    check_order: str = "before"  # IR check before or after the backup-mode switch (inferred)
    ctlcp_location: str | None = None  # overrides the configuration's
    archive_before: bool = True  # ALTER SYSTEM ARCHIVE LOG CURRENT before BEGIN BACKUP
    database: str | None = None  # when the spec's objects do not name it


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1") and not isinstance(value, float):
        return str(value) == "1"
    raise ConfigError("must be 0 or 1", field=f"application.{key}")


def parse_options(raw: dict[str, Any], *, spec_name: str) -> OracleOptions:
    choices = {"backup_mode": ("database", "tablespace"), "check_order": ("before", "after")}
    allowed = {*BOOL_VARS, *choices, "ctlcp_location", "archive_before", "database"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown Oracle option {unknown[0]!r}", field=f"application.{unknown[0]}"
        )
    for key, values in choices.items():
        if key in raw and raw[key] not in values:
            raise ConfigError(f"must be one of {', '.join(values)}", field=f"application.{key}")
    ctlcp = raw.get("ctlcp_location")
    if ctlcp is not None and (not isinstance(ctlcp, str) or not ctlcp.startswith("/")):
        raise ConfigError("must be an absolute path", field="application.ctlcp_location")
    archive_before = raw.get("archive_before", True)
    if not isinstance(archive_before, bool):
        raise ConfigError("must be true or false", field="application.archive_before")
    return OracleOptions(
        include_cf_olf=_flag(raw, "ZDB_ORA_INCLUDE_CF_OLF"),
        include_spf=_flag(raw, "ZDB_ORA_INCLUDE_SPF"),
        no_checkconf_ir=_flag(raw, "ZDB_ORA_NO_CHECKCONF_IR"),
        backup_mode=raw.get("backup_mode", "database"),
        check_order=raw.get("check_order", "before"),
        ctlcp_location=ctlcp,
        archive_before=archive_before,
        database=raw.get("database"),
    )


# --- the IR configuration check (reference 2.4, OS-I11) ------------------------------------------


def ir_problems(
    layout: FileLayout, volumes_of: Callable[[str], list[VolumeRef]], opts: OracleOptions
) -> list[str]:
    """Every datafile volume shared with a control file, online log or SPFILE, unless the
    options allow it (``util_oracle8.pl -chkconf_ir``)."""
    # keyed by (array, volume), VolumeRef's own equality, hashed without its Python __hash__
    data: dict[tuple[str, str], str] = {}
    for path in layout.datafiles:
        for vol in volumes_of(path):
            data.setdefault((vol.array, vol.volume), path)
    others: list[tuple[str, str]] = []
    if not opts.include_cf_olf:
        others += [("control file", p) for p in layout.control_files]
        others += [("online redo log", p) for p in layout.online_logs]
    if not opts.include_spf and layout.spfile:
        others.append(("SPFILE", layout.spfile))
    problems = []
    for kind, path in others:
        for vol in volumes_of(path):
            first = data.get((vol.array, vol.volume))
            if first is not None:
                problems.append(f"{kind} {path} shares volume {vol} with datafile {first}")
    return problems


# --- keep-current copies: encoded names (cf_ol_util.pl -decode) -----------------------------------


def encode_keep_name(tmp_dir: str, path: str, stamp: str) -> str:
    return f"{tmp_dir.rstrip('/')}/{stamp}_{quote(path, safe='')}"


def decode_keep_name(name: str) -> str:
    """Original path of a preserved copy (what ``cf_ol_util.pl -decode`` prints)."""
    base = name.rsplit("/", 1)[-1]
    return unquote(base.split("_", 1)[1])
