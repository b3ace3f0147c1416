"""The backint parameter file (``-p``, ``util_par_file``, conventionally ``init<SID>.utl``).

Its content is the vendor's (protocols.md §4.2). This product reads ``<name> <value>``
lines (``<name> = <value>`` too), ``#`` starting a comment, with the parameters below; the
switch-file names follow the vendors' ``switch_list``/``switch_sem``/``switch_log``
(sap-vss-addendum.md SAP-9). An unknown parameter is refused (exit 2), never ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from apprm_ref.drivers.sap import HostFiles

SWITCH_FILES = {
    "switch_list": ".switch.lis",
    "switch_sem": ".switch.sem",
    "switch_log": ".switch.log",
}


class ParamError(Exception):
    """The parameter file is missing, unreadable or names something unknown: exit 2."""


@dataclass(frozen=True)
class BackintParams:
    switch_list: str
    switch_sem: str
    switch_log: str
    switch_batch: int = 1  # files per switch round (SAP-9: a round may switch several)
    rc_partial: int = 1  # exit code when some objects failed (SAP-18: configurable)


def sapbackup_dir(env: Mapping[str, str]) -> str:
    """``$SAPBACKUP``, else ``$SAPDATA_HOME/sapbackup`` (oracle-sap.md §7.1 Environment)."""
    if env.get("SAPBACKUP"):
        return env["SAPBACKUP"].rstrip("/")
    home = env.get("SAPDATA_HOME")
    return f"{home.rstrip('/')}/sapbackup" if home else "sapbackup"


def parse_params(text: str, env: Mapping[str, str]) -> BackintParams:
    values: dict[str, str] = {}
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, value = line.replace("=", " ", 1).partition(" ")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if name not in _KNOWN:
            raise ParamError(f"line {no}: unknown parameter {name!r} ({', '.join(_KNOWN)})")
        if not value:
            raise ParamError(f"line {no}: parameter {name} has no value")
        values[name] = value
    base = sapbackup_dir(env)
    files = {k: values.get(k, f"{base}/{v}") for k, v in SWITCH_FILES.items()}
    return BackintParams(
        **files,
        switch_batch=_number(values, "switch_batch", 1, low=1),
        rc_partial=_number(values, "rc_partial", 1, low=1, high=2),
    )


_KNOWN = (*SWITCH_FILES, "switch_batch", "rc_partial")


def _number(values: dict[str, str], name: str, default: int, *, low: int, high: int = 4096) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ParamError(f"parameter {name} must be a number from {low} to {high}, not {raw!r}")
    return int(raw)


def read_params(files: HostFiles, path: str | None, env: Mapping[str, str]) -> BackintParams:
    if path is None:
        return parse_params("", env)
    try:
        text = files.read(path).decode()
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamError(f"cannot read the parameter file {path}: {exc}") from None
    return parse_params(text, env)
