"""An estate description (arrays, hosts, volume layout, applications) and its builder.

The same model is the ``estate`` section of a scenario file and the content of a lab's
``lab.yaml``; ``build_world`` turns it into a World by calling the backends' own
configuration operations, so an impossible estate fails with the array's own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import InitErrorDetails

from apprm_ref.drivers import registry
from apprm_ref.drivers.kinds import resolve
from apprm_ref.errors import ConfigError
from apprm_ref.sim.storage import MIB

if TYPE_CHECKING:
    from apprm_ref.sim.world import World

_UNITS = {
    "": 1,
    "B": 1,
    "K": 1024,
    "KIB": 1024,
    "M": MIB,
    "MIB": MIB,
    "G": 1024 * MIB,
    "GIB": 1024 * MIB,
    "T": 1024**2 * MIB,
    "TIB": 1024**2 * MIB,
    "P": 1024**3 * MIB,
    "PIB": 1024**3 * MIB,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def parse_size(value: Any) -> int:
    """``"100GiB"``, ``"4 MiB"``, ``1048576`` -> bytes (binary units; ``GB`` means GiB)."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 100GiB")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a size cannot be negative, got {value}")
        return value
    m = _SIZE_RE.match(str(value))
    unit = m.group(2).upper().removesuffix("B") if m else None
    unit = {"KI": "KIB", "MI": "MIB", "GI": "GIB", "TI": "TIB", "PI": "PIB"}.get(unit or "", unit)
    if not m or unit not in _UNITS:
        raise ValueError(f"expected a size such as 100GiB, got {value!r}")
    return int(float(m.group(1)) * _UNITS[unit])


# What parse_size accepts, for editors validating a scenario against ``apprm drill schema``
# (JSON Schema patterns have no case flag, hence the character classes).
SIZE_PATTERN = r"^\s*\d+(\.\d+)?\s*([KkMmGgTtPp][Ii]?[Bb]?|[Bb])?\s*$"
_SIZE_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": SIZE_PATTERN},
    ],
    "description": "bytes, or a size with a binary unit such as 16GiB, 64 MiB, 2T",
}
Size = Annotated[int, BeforeValidator(parse_size), WithJsonSchema(_SIZE_SCHEMA)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiskGroupCfg(_Model):
    name: str
    capacity: Size


class VdiskCfg(_Model):
    name: str
    disk_group: str
    size: Size
    vraid: Literal["vraid0", "vraid1", "vraid5", "vraid6"] = "vraid5"
    present_to: list[str] = Field(default_factory=list)


class DrGroupCfg(_Model):
    name: str
    vdisks: list[str]
    role: Literal["source", "destination"] = "source"
    state: str = "normal"


class EvaCfg(_Model):
    type: Literal["eva"]
    name: str
    model: str = "EVA8100"
    disk_groups: list[DiskGroupCfg]
    vdisks: list[VdiskCfg] = Field(default_factory=list)
    dr_groups: list[DrGroupCfg] = Field(default_factory=list)


class LdevCfg(_Model):
    id: str  # CU:LDEV
    size: Size
    present_to: list[str] = Field(default_factory=list)
    port: str = "CL1-A"


class PairCfg(_Model):
    pvol: str
    svol: str
    mu: int = Field(0, ge=0, le=2)


class XpCfg(_Model):
    type: Literal["xp"]
    name: str
    model: str = "XP12000"
    serial: int = 30001
    ldevs: list[LdevCfg] = Field(default_factory=list)
    pairs: list[PairCfg] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class KindModels:
    """Annotation marker: the config models of every registered kind of one category (lets
    tools such as the scenario loader name a config model's fields)."""

    def __init__(self, kinds: Callable[[], list[Any]]) -> None:
        self.kinds = kinds

    def models(self) -> list[type[BaseModel]]:
        return [resolve(k.config) for k in self.kinds() if k.config is not None]

    def __get_pydantic_json_schema__(self, _schema: Any, handler: Any) -> dict[str, Any]:
        """The JSON Schema of an entry: one of the registered kinds' config models."""
        return {"oneOf": [handler(m.__pydantic_core_schema__) for m in self.models()]}


def _by_kind(lookup: Callable[[Any], Any], what: str) -> Callable[[Any], Any]:
    """A validator giving each ``type:`` entry to the config model its registered kind owns."""

    def validate(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if not isinstance(value, dict):
            raise ValueError(f"an {what} entry is a mapping with a type")
        try:
            model = resolve(lookup(value.get("type")).config)
        except ConfigError as exc:
            raise ValueError(exc.message) from None
        if model is None:
            raise ValueError(f"{what} type {value.get('type')!r} has no estate configuration")
        try:
            return model.model_validate(value)
        except ValidationError as exc:  # re-raised whole, so each error keeps its location
            raise _relocatable(exc, value["type"]) from None

    return validate


def _relocatable(exc: ValidationError, tag: str) -> ValidationError:
    details: list[InitErrorDetails] = []
    for err in exc.errors():
        item = InitErrorDetails(type=err["type"], loc=(tag, *err["loc"]), input=err["input"])
        if "ctx" in err:
            item["ctx"] = err["ctx"]
        details.append(item)
    return ValidationError.from_exception_data(exc.title, details)


ArrayCfg = Annotated[
    SerializeAsAny[BaseModel],
    BeforeValidator(_by_kind(registry.array_family, "array")),
    KindModels(registry.array_families),
]
AppCfg = Annotated[
    SerializeAsAny[BaseModel],
    BeforeValidator(_by_kind(registry.application, "application")),
    KindModels(registry.applications),
]


class OracleCfg(_Model):
    """An Oracle database of the estate (keys: :func:`apprm_ref.sim.oracle.estate.build_oracle`)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["oracle"]
    name: str
    host: str


class FileCfg(_Model):
    path: str
    size: Size = MIB
    fill: str | None = None  # payload prefix written to every block (None: left empty)


class LvCfg(_Model):
    name: str
    size: Size
    mount: str | None = None
    files: list[FileCfg] = Field(default_factory=list)


class VgCfg(_Model):
    name: str
    disks: list[str]  # "array/volume-name"
    lvs: list[LvCfg] = Field(default_factory=list)


class PartitionCfg(_Model):
    """A partition of a Windows basic disk, formatted NTFS (``sim/host/windows.py``)."""

    size: Size
    mount: str | None = None  # a drive letter (D:) or a folder of a mounted volume (D:\\logs)
    files: list[FileCfg] = Field(default_factory=list)


class DiskCfg(_Model):
    disk: str  # "array/volume-name"
    style: Literal["mbr", "gpt"] = "mbr"
    partitions: list[PartitionCfg] = Field(default_factory=list)


class ScriptCfg(_Model):
    name: str
    exit_code: int = 0
    output: list[str] = Field(default_factory=list)


class HostCfg(_Model):
    name: str
    storage: str = "lvm"  # the registered host storage stack (lvm, windows)
    os: str = "hpux"
    role: Literal["application", "backup", "both"] = "application"
    volume_groups: list[VgCfg] = Field(default_factory=list)
    disks: list[DiskCfg] = Field(default_factory=list)  # Windows basic disks
    scripts: list[ScriptCfg] = Field(default_factory=list)


class Estate(_Model):
    arrays: list[ArrayCfg] = Field(default_factory=list)
    hosts: list[HostCfg] = Field(default_factory=list)
    applications: list[AppCfg] = Field(default_factory=list)

    @field_validator("hosts")
    @classmethod
    def _stacks(cls, hosts: list[HostCfg]) -> list[HostCfg]:
        for h in hosts:
            try:
                registry.storage_stack(h.storage)
            except ConfigError as exc:
                raise ValueError(exc.message) from None
        return hosts


def load_estate(path: str | Path) -> Estate:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError("no such file", file=str(path)) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            f"not valid YAML: {exc}", file=str(path), line=None if line is None else line + 1
        ) from None
    if isinstance(data, dict) and "estate" in data:
        data = data["estate"]
    try:
        return Estate.model_validate(data or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            err["msg"], file=str(path), field=".".join(str(p) for p in err["loc"])
        ) from None


def default_estate() -> Estate:
    return load_estate(Path(__file__).with_name("default_estate.yaml"))


def build_world(estate: Estate, seed: int = 0) -> World:
    """Build a World from ``estate`` (see :mod:`apprm_ref.sim.build`)."""
    from apprm_ref.sim.build import build_world as _build

    return _build(estate, seed)


def sim_drivers(world: World) -> Any:
    """The simulator drivers (a core DriverSet) for every backend of ``world``."""
    from apprm_ref.sim.build import sim_drivers as _drivers

    return _drivers(world)
