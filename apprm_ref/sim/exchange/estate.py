"""An Exchange server of the estate (``applications: [{type: exchange, ...}]``) and its builder.

Limits enforced as the products state them (vss-and-core.md §6.1, §6.2): Exchange 2003 has
up to 4 storage groups of up to 5 databases, each an ``.edb`` with its ``.stm``; Exchange
2007 has no ``.stm``, and LCR/CCR are 2007 features with one database per storage group
(inferred, not re-verified). LCR keeps the passive copy on the same server, CCR on the
other node of the cluster.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.errors import ConfigError
from apprm_ref.sim.exchange.models import CopyLayout, DatabaseDef, StorageGroup
from apprm_ref.sim.exchange.store import ExchangeServer

LIMITS = {2003: (4, 5), 2007: (50, 5)}  # (storage groups, databases per storage group)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CopyCfg(_M):
    host: str | None = None  # default: the server's host (LCR)
    log_path: str
    system_path: str | None = None  # default: the log path
    data_path: str


class DatabaseCfg(_M):
    name: str
    edb: str | None = None  # default "<name>.edb"
    stm: str | None = None  # Exchange 2003 only; default "<name>.stm"
    pages: int = Field(default=16, ge=1, le=512)
    messages: int = Field(default=4, ge=0)  # messages delivered at creation


class StorageGroupCfg(_M):
    name: str
    prefix: str | None = None  # default E00, E01 ... by position
    log_path: str
    system_path: str | None = None
    data_path: str
    databases: list[DatabaseCfg] = Field(default_factory=list)
    replication: Literal["none", "lcr", "ccr"] = "none"
    passive: CopyCfg | None = None
    records_per_log: int = Field(default=8, ge=2, le=4096)
    recovery: bool = False


class ExchangeCfg(_M):
    type: Literal["exchange"]
    name: str
    host: str
    server: str | None = None  # the Exchange server name (CCR: the clustered mailbox server)
    version: Literal[2003, 2007] = 2007
    storage_groups: list[StorageGroupCfg]


def guid(*parts: str) -> str:
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _check(cfg: ExchangeCfg) -> None:
    where = f"applications.{cfg.name}"
    max_sg, max_db = LIMITS[cfg.version]
    regular = [sg for sg in cfg.storage_groups if not sg.recovery]
    if len(regular) > max_sg:
        raise ConfigError(
            f"Exchange {cfg.version} has at most {max_sg} storage groups", field=where
        )
    for sg in cfg.storage_groups:
        at = f"{where}.storage_groups.{sg.name}"
        if sg.recovery and (sg.databases or sg.replication != "none" or cfg.version != 2007):
            raise ConfigError(
                "a recovery storage group (2007) starts empty and has no copy", field=at
            )
        if not sg.recovery and not 1 <= len(sg.databases) <= max_db:
            raise ConfigError(f"a storage group holds 1 to {max_db} databases", field=at)
        if sg.replication != "none":
            if cfg.version != 2007:
                raise ConfigError("LCR and CCR are Exchange 2007 features", field=at)
            if sg.passive is None or len(sg.databases) != 1:
                raise ConfigError(
                    f"{sg.replication.upper()} needs a passive copy and one database", field=at
                )
            same = (sg.passive.host or cfg.host) == cfg.host
            if same != (sg.replication == "lcr"):
                raise ConfigError(
                    "an LCR copy is on the same server, a CCR copy on the other node", field=at
                )
        if cfg.version == 2007 and any(db.stm for db in sg.databases):
            raise ConfigError("Exchange 2007 databases have no .stm file", field=at)


def _copy(host: str, cfg: Any) -> CopyLayout:
    return CopyLayout(
        host=getattr(cfg, "host", None) or host,
        log_path=cfg.log_path,
        system_path=cfg.system_path or cfg.log_path,
        data_path=cfg.data_path,
    )


def _sg(cfg: ExchangeCfg, i: int, sg: StorageGroupCfg) -> StorageGroup:
    server = cfg.server or cfg.host
    dbs = [
        DatabaseDef(
            name=d.name,
            guid=guid(server, sg.name, d.name),
            edb=d.edb or f"{d.name}.edb",
            stm=(d.stm or f"{d.name}.stm") if cfg.version == 2003 else None,
            pages=d.pages,
        )
        for d in sg.databases
    ]
    prefix = sg.prefix or ("R00" if sg.recovery else f"E{i:02d}")
    return StorageGroup(
        name=sg.name,
        guid=guid(server, sg.name),
        prefix=prefix,
        databases=dbs,
        active=_copy(cfg.host, sg),
        replication=sg.replication,
        passive=_copy(cfg.host, sg.passive) if sg.passive else None,
        records_per_log=sg.records_per_log,
        recovery=sg.recovery,
    )


def build_exchange(world: Any, cfg: ExchangeCfg) -> ExchangeServer:
    """Create the server's files on its volumes, seed the passive copies, mount every
    database (a recovery storage group stays empty) and deliver the first messages."""
    _check(cfg)
    sgs = [_sg(cfg, i, sg) for i, sg in enumerate(cfg.storage_groups)]
    srv = world.add_app(
        ExchangeServer(cfg.name, cfg.server or cfg.host, cfg.host, cfg.version, sgs)
    )
    from apprm_ref.sim.exchange.creation import create_storage_group

    for sg, sg_cfg in zip(sgs, cfg.storage_groups, strict=True):
        if sg.recovery:
            continue
        create_storage_group(srv, sg)
        for db, db_cfg in zip(sg.databases, sg_cfg.databases, strict=True):
            srv.mount(sg.name, db.name)
            for k in range(db_cfg.messages):
                srv.deliver(sg.name, db.name, f"user{k % 4}", f"welcome {k}", f"{db.name}:{k}")
    return srv
