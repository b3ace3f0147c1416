"""The canonical JSONL trace of a drill and its SHA-256 digest.

Line 1 is a header (scenario path, its file digest, seed, name); every other line is one
event with its simulated time. Lines are JSON with sorted keys and no spaces; values are
made canonical (enums by value, dataclasses as dicts, sets sorted, no object ids), and
nothing comes from the wall clock, so the same scenario + seed + code gives the same bytes.
The digest covers the event lines only, so it does not depend on where the file lives.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprm_ref.errors import ConfigError

FORMAT = 1
_ADDR = re.compile(r" at 0x[0-9a-fA-F]+")


def canonical(value: Any) -> Any:
    """A JSON-able value with a stable rendering."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 6)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.metadata.get("transient")
        }
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return canonical(dump(mode="json"))
    return _ADDR.sub("", str(value))


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(canonical(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Trace:
    header: dict[str, Any]
    lines: list[str] = field(default_factory=list)

    def record(self, at: float, type_: str, **data: Any) -> None:
        self.lines.append(dumps({"t": at, "type": type_, **data}))

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    @property
    def digest(self) -> str:
        return events_digest(self.lines)

    def text(self) -> str:
        head = dumps({"type": "header", "format": FORMAT, **self.header})
        return "\n".join([head, *self.lines]) + "\n"

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.text())


def events_digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()


def read_trace(path: str | Path) -> Trace:
    """Parse a trace file; a malformed one is a ConfigError naming the line."""
    try:
        raw = Path(path).read_text().splitlines()
    except FileNotFoundError:
        raise ConfigError("no such trace file", file=str(path)) from None
    if not raw:
        raise ConfigError("empty trace file", file=str(path), line=1)
    try:
        head = json.loads(raw[0])
    except json.JSONDecodeError:
        head = None
    if not isinstance(head, dict) or head.get("type") != "header":
        raise ConfigError("line 1 is not a drill trace header", file=str(path), line=1)
    if head.get("format") != FORMAT:
        raise ConfigError(
            f"trace format {head.get('format')!r}, expected {FORMAT}", file=str(path), line=1
        )
    for key in ("scenario", "scenario_sha256", "seed"):
        if key not in head:
            raise ConfigError(f"trace header lacks {key!r}", file=str(path), line=1, field=key)
    header = {k: v for k, v in head.items() if k not in ("type", "format")}
    return Trace(header, [line for line in raw[1:] if line])


@dataclass(frozen=True)
class Difference:
    index: int  # 0-based event index (the trace file line is index + 2)
    expected: str | None
    actual: str | None

    def describe(self) -> str:
        exp = self.expected if self.expected is not None else "<end of trace>"
        act = self.actual if self.actual is not None else "<end of trace>"
        return f"event {self.index + 1} (trace line {self.index + 2}) differs: expected {exp} but the replay gave {act}"


def first_difference(expected: list[str], actual: list[str]) -> Difference | None:
    for i, (a, b) in enumerate(zip(expected, actual, strict=False)):
        if a != b:
            return Difference(i, a, b)
    if len(expected) != len(actual):
        i = min(len(expected), len(actual))
        return Difference(
            i,
            expected[i] if i < len(expected) else None,
            actual[i] if i < len(actual) else None,
        )
    return None
