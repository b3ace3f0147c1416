"""Plain-data encoding of simulator state, so a world can be saved, loaded and diffed.

Every persisted dataclass is registered with :func:`persistable` under a stable tag. The
encoding is JSON-compatible: dataclasses become ``{"__t": tag, ...fields}``, tuples
``{"__tuple": [...]}``, dicts with non-string keys ``{"__map": [[k, v], ...]}``, bytes
``{"__b": hex}``, enums ``{"__e": tag, "v": value}``. Classes registered ``shared=True`` are
stored once in a table and referenced by ``{"__ref": n}``, which keeps structural sharing
(snapshot layers shared by many volumes) across a save and load.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_CLASSES: dict[str, type] = {}
_TAGS: dict[type, str] = {}
_SHARED: set[type] = set()


def persistable(tag: str, *, shared: bool = False) -> Callable[[type[T]], type[T]]:
    def register(cls: type[T]) -> type[T]:
        if tag in _CLASSES and _CLASSES[tag] is not cls:
            raise ValueError(f"persist tag {tag!r} registered twice")
        _CLASSES[tag] = cls
        _TAGS[cls] = tag
        if shared:
            _SHARED.add(cls)
        return cls

    return register


class Encoder:
    def __init__(self) -> None:
        self.table: list[Any] = []
        self._ids: dict[int, int] = {}

    def encode(self, obj: Any) -> Any:
        if isinstance(obj, enum.Enum):  # before the primitives: StrEnum/IntEnum are str/int
            return {"__e": _TAGS[type(obj)], "v": obj.value}
        if obj is None or isinstance(obj, bool | int | float | str):
            return obj
        if isinstance(obj, bytes):
            return {"__b": obj.hex()}
        if isinstance(obj, tuple):
            return {"__tuple": [self.encode(x) for x in obj]}
        if isinstance(obj, list):
            return [self.encode(x) for x in obj]
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj):
                return {"__d": {k: self.encode(v) for k, v in obj.items()}}
            return {"__map": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, frozenset | set):
            return {"__set": sorted((self.encode(x) for x in obj), key=repr)}
        cls = type(obj)
        if cls in _TAGS and dataclasses.is_dataclass(obj):
            if cls in _SHARED:
                key = id(obj)
                if key not in self._ids:
                    self._ids[key] = len(self.table)
                    self.table.append(None)
                    self.table[self._ids[key]] = self._fields(obj)
                return {"__ref": self._ids[key]}
            return self._fields(obj)
        raise TypeError(f"cannot persist {cls.__qualname__}; register it with @persistable")

    def _fields(self, obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"__t": _TAGS[type(obj)]}
        for f in dataclasses.fields(obj):
            if f.metadata.get("transient"):
                continue
            out[f.name] = self.encode(getattr(obj, f.name))
        return out


class Decoder:
    def __init__(self, table: list[Any]) -> None:
        self.table = table
        self._built: dict[int, Any] = {}

    def decode(self, data: Any) -> Any:
        if data is None or isinstance(data, bool | int | float | str):
            return data
        if isinstance(data, list):
            return [self.decode(x) for x in data]
        if "__t" in data:
            return self._build(data)
        if "__ref" in data:
            n = data["__ref"]
            if n not in self._built:
                self._built[n] = self._build(self.table[n])
            return self._built[n]
        if "__tuple" in data:
            return tuple(self.decode(x) for x in data["__tuple"])
        if "__d" in data:
            return {k: self.decode(v) for k, v in data["__d"].items()}
        if "__map" in data:
            return {self.decode(k): self.decode(v) for k, v in data["__map"]}
        if "__set" in data:
            return frozenset(self.decode(x) for x in data["__set"])
        if "__b" in data:
            return bytes.fromhex(data["__b"])
        if "__e" in data:
            return _CLASSES[data["__e"]](data["v"])
        raise ValueError(f"unknown persisted form: {sorted(data)[:3]}")

    def _build(self, data: dict[str, Any]) -> Any:
        cls = _CLASSES[data["__t"]]
        kwargs = {}
        transient = []
        for f in dataclasses.fields(cls):
            if f.metadata.get("transient"):
                transient.append(f)
            elif f.name in data:
                kwargs[f.name] = self.decode(data[f.name])
        init_names = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in kwargs.items() if k in init_names})
        for k, v in kwargs.items():
            if k not in init_names:
                object.__setattr__(obj, k, v)
        hook = getattr(obj, "__post_load__", None)
        if hook is not None:
            hook()
        return obj


def dump(obj: Any) -> dict[str, Any]:
    enc = Encoder()
    root = enc.encode(obj)
    return {"format": "apprm-world/1", "table": enc.table, "root": root}


def load(doc: dict[str, Any]) -> Any:
    if doc.get("format") != "apprm-world/1":
        raise ValueError("not an apprm world document")
    return Decoder(doc["table"]).decode(doc["root"])


def is_registered(tag: str) -> bool:
    return tag in _CLASSES


def register_enum(tag: str) -> Callable[[type[T]], type[T]]:
    """Enums are registered the same way (their value is stored)."""
    return persistable(tag)
