"""Shared pieces of the scenario models: strictness and time expressions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.drill.timeparse import parse_duration

TimeExpr = Annotated[str | int | float, Field(description="0s, 2h, 1d 03:00, 03:00, +15m")]
Duration = Annotated[str | int | float, Field(description="90s, 15m, 2h, 1d, 1h30m")]


class Strict(BaseModel):
    """Every scenario model forbids unknown keys: a typo is an error naming the field."""

    model_config = ConfigDict(extra="forbid")


def check_duration(v: Any) -> Any:
    parse_duration(v)
    return v
