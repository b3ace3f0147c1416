"""Backup specifications: what to protect, on which array, with which options.

The generic part is validated here; array options are validated by the replication
method of the array's kind, application options by the integration, both at creation.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from apprm_ref.errors import ConfigError

SPEC_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ScriptRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    command: str
    host: str | None = None  # None: the application system


class ScheduleEntry(BaseModel):
    """One recurrence of a schedule (``vss-and-core.md`` §15)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    recurrence: Literal["once", "daily", "weekly", "monthly"] = "daily"
    start: str = "00:00"  # HH:MM (first day = the world's epoch day unless start_date)
    start_date: str | None = None  # YYYY-MM-DD
    every: int = Field(1, ge=1)  # every N days / weeks / months
    weekdays: tuple[str, ...] = ()  # mon..sun, for weekly
    day_of_month: int | None = Field(None, ge=1, le=31)
    repeat_hours: float | None = Field(None, gt=0, le=24)  # repeat within the day
    until: str | None = None  # HH:MM, last repeat of the day
    holidays: bool = False  # skip dates in the holiday list
    disabled: bool = False


class BackupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: str = "filesystem"  # a registered application
    application_system: str
    backup_system: str | None = None  # None: local configuration, no mount on another host
    array: str
    objects: list[str] = Field(default_factory=list)  # mount points, or the database name
    mode: Literal["online", "offline"] = "online"
    to: Literal["disk", "tape", "disk+tape"] = "disk"
    replication: dict[str, Any] = Field(default_factory=dict)
    application: dict[str, Any] = Field(default_factory=dict)
    pre_exec: ScriptRef | None = None
    post_exec: ScriptRef | None = None
    schedules: list[ScheduleEntry] = Field(default_factory=list)
    holidays: list[str] = Field(default_factory=list)  # YYYY-MM-DD
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SPEC_NAME_RE.match(v):
            raise ValueError(
                "letters, digits, '_', '.', '-' (at most 64), starting with a letter or digit"
            )
        return v

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        from apprm_ref.drivers import registry

        try:
            registry.application(v)
        except ConfigError as exc:
            raise ValueError(exc.message) from None
        return v

    @field_validator("objects")
    @classmethod
    def _objects(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("an object is listed twice")
        return v


def parse_spec(data: dict[str, Any], *, source: str | None = None) -> BackupSpec:
    """Build a spec, turning pydantic errors into one clear ConfigError naming the field."""
    try:
        spec = BackupSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConfigError(err["msg"], file=source, field=loc or None) from None
    from apprm_ref.drivers import registry

    if registry.application(spec.type).mount_objects and not spec.objects:
        raise ConfigError(
            f"a {spec.type} spec needs at least one mount point", file=source, field="objects"
        )
    return spec
