"""Shared validation of array options: one clear ConfigError naming ``replication.<key>``."""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import ConfigError


def reject_unknown(raw: dict[str, Any], known: tuple[str, ...], array: str) -> None:
    unknown = sorted(k for k in raw if k not in known)
    if unknown:
        raise ConfigError(
            f"unknown {array} option (known: {', '.join(known)})", field=f"replication.{unknown[0]}"
        )


def boolean(raw: dict[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError("must be true or false", field=f"replication.{key}")
    return value


def choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], default: str | None) -> Any:
    value = raw.get(key, default)
    if value is not None and value not in choices:
        raise ConfigError(f"must be one of {', '.join(choices)}", field=f"replication.{key}")
    return value
