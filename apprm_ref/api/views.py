"""The API's JSON documents: the CLI's ``--json`` documents (docs/cli.md, schema version 1),
built by the same functions, so a session, replica or spec reads the same through both."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from apprm_ref.core.session import ObjectResult
from apprm_ref.credentials import mask
from apprm_ref.front.views import SCHEMA_VERSION, replica_dict, session_dict, spec_row

__all__ = ["Clock", "config_row", "doc", "progress", "replicas_doc", "session_doc", "spec_row"]


def doc(data: dict[str, Any] | list[Any], key: str | None = None) -> dict[str, Any]:
    """One document: an object with ``schema_version``; a list goes under ``key``."""
    if isinstance(data, list):
        if key is None:
            raise TypeError("a JSON list is sent under a key")
        data = {key: data}
    return {**data, "schema_version": SCHEMA_VERSION}


class Clock:
    """``iso``/``stamp`` of a simulated instant, for a session read outside its lab."""

    def __init__(self, epoch: datetime) -> None:
        self.epoch = epoch

    def when(self, seconds: float) -> datetime:
        return self.epoch + timedelta(seconds=seconds)

    def iso(self, seconds: float | None) -> str | None:
        return None if seconds is None else self.when(seconds).isoformat(timespec="seconds")


def session_doc(clock: Any, session: Any, **extra: Any) -> dict[str, Any]:
    return {**session_dict(clock, session), **extra}


def progress(session: Any) -> dict[str, int]:
    """What the monitor shows of a running session: objects done of objects known."""
    done = sum(1 for o in session.objects if o.status != ObjectResult.PENDING)
    return {"objects_done": done, "objects_total": len(session.objects)}


def replicas_doc(lab: Any, replicas: list[Any]) -> list[dict[str, Any]]:
    arrays = lab.drivers().arrays
    return [replica_dict(lab, r, arrays) for r in replicas]


def _masked(data: Any) -> Any:
    """A configuration as shown: every stored credential reference masked to its kind."""
    if isinstance(data, dict):
        return {
            k: mask(v) if k.endswith("password_ref") and isinstance(v, str) else _masked(v)
            for k, v in sorted(data.items())
        }
    if isinstance(data, list):
        return [_masked(v) for v in data]
    return data


def config_row(cfg: Any) -> dict[str, Any]:
    return {"kind": cfg.kind, "name": cfg.name, "host": cfg.host, "data": _masked(cfg.data)}
