"""The estate entry of the VSS service and its builder.

```yaml
applications:
  - type: vss
    name: vss
    hosts: [win1, winbk]          # Windows hosts running VSS
    providers:                    # hardware providers installed on each of them
      - {type: eva, default_type: snapclone, vsnap: false}   # serves every EVA
      - {type: xp, mode: resync}                              # serves every XP
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.errors import ConfigError


class VssProviderCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["eva", "xp"]
    default_type: Literal["snapshot", "vsnap", "snapclone"] = "snapclone"
    vsnap: bool = False
    mode: Literal["resync", "compliant"] = "resync"
    commit_seconds: float = Field(1.0, ge=0)


class VssCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["vss"]
    name: str = "vss"
    hosts: list[str]
    providers: list[VssProviderCfg] = Field(default_factory=list)


def make_provider(cfg: VssProviderCfg) -> Any:
    if cfg.type == "eva":
        from apprm_ref.sim.vss.eva_provider import EvaProvider

        return EvaProvider(
            default_type=cfg.default_type, vsnap=cfg.vsnap, commit_seconds=cfg.commit_seconds
        )
    from apprm_ref.sim.vss.xp_provider import XpProvider

    return XpProvider(mode=cfg.mode, commit_seconds=cfg.commit_seconds)


def build_vss(world: Any, cfg: VssCfg) -> Any:
    """The VSS backend with a service on each listed Windows host."""
    from apprm_ref.sim.vss.backend import VssBackend

    backend = world.add_app(VssBackend(cfg.name))
    for i, host in enumerate(cfg.hosts):
        h = world.hosts.host(host)
        if h.storage != "windows":
            raise ConfigError(
                f"VSS runs on Windows hosts; {host} has storage {h.storage}",
                field=f"applications.{cfg.name}.hosts.{i}",
            )
        backend.add_host(host, [make_provider(p) for p in cfg.providers])
    return backend
