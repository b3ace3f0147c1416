"""The what-if input: an estate, its backup specifications and the workloads on it.

The file is a drill scenario's first sections: ``estate:`` (or the estate's keys at the
top level), ``specs:`` and optionally ``workloads:`` (``{app: NAME, rate: N}``: ``N``
changes per simulated hour on a spec's mount points or a database, as a drill's workload
step), ``archive_purges:`` (``{app: DB, keep: 3d, every: 7d}``: the DBA's job deleting
archived logs older than ``keep``, RMAN ``DELETE ARCHIVELOG UNTIL TIME``; without it a
year's archives stay on the destination) and ``seed:``. A spec without schedules never runs and is refused: a year of it
would say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import ConfigError
from apprm_ref.sim.estate import Estate

ESTATE_KEYS = ("arrays", "hosts", "applications")
MAX_DAYS = 3660


class WorkloadCfg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app: str
    rate: float = Field(20.0, gt=0, le=3600)


class PurgeCfg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app: str
    keep: str | float = "3d"
    every: str | float = "7d"

    def seconds(self) -> tuple[float, float]:
        """(keep, every) in seconds; every at least an hour."""
        from apprm_ref.drill.timeparse import parse_duration

        keep, every = parse_duration(self.keep), parse_duration(self.every)
        if every < 3600 or keep < 0:
            raise ConfigError(
                f"archive purge of {self.app}: every must be at least 1h, keep not negative",
                field="archive_purges",
            )
        return keep, every


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    estate: Estate
    specs: list[BackupSpec] = Field(min_length=1)
    workloads: list[WorkloadCfg] = Field(default_factory=list)
    archive_purges: list[PurgeCfg] = Field(default_factory=list)
    seed: int = 0


@dataclass(frozen=True)
class Plan:
    path: str
    estate: Estate
    specs: list[BackupSpec]
    workloads: list[WorkloadCfg]
    purges: list[PurgeCfg]
    seed: int


def _split(data: Any) -> dict[str, Any]:
    """The file's mapping with the estate's keys gathered under ``estate``."""
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with estate and specs")
    if "estate" in data:
        return {k: v for k, v in data.items() if k not in ("version", "name", "description")}
    estate = {k: data[k] for k in ESTATE_KEYS if k in data}
    rest = {k: v for k, v in data.items() if k not in ESTATE_KEYS}
    return {"estate": estate, **rest}


def load_plan(path: str | Path) -> Plan:
    """Read and check ``path``; a bad file is a ConfigError naming the field."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError("no such file", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=str(path)) from None
    try:
        pf = PlanFile.model_validate(_split(data))
    except ConfigError as exc:
        exc.file = str(path)
        raise
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(err["msg"], file=str(path), field=where) from None
    names = [s.name for s in pf.specs]
    for s in pf.specs:
        if not s.schedules:
            raise ConfigError(f"spec {s.name} has no schedule", file=str(path), field="specs")
    apps = {a.name for a in pf.estate.applications}
    for w in pf.workloads:
        if w.app not in names and w.app not in apps:
            raise ConfigError(
                f"workload on {w.app!r}: no spec or application of that name",
                file=str(path),
                field="workloads",
            )
    for p in pf.archive_purges:
        if p.app not in apps:
            raise ConfigError(
                f"archive purge of {p.app!r}: no application of that name",
                file=str(path),
                field="archive_purges",
            )
        try:
            p.seconds()
        except ConfigError as exc:
            exc.file = str(path)
            raise
    return Plan(str(path), pf.estate, pf.specs, pf.workloads, pf.archive_purges, pf.seed)


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"--days must be between 1 and {MAX_DAYS}, got {days}")
    return days
