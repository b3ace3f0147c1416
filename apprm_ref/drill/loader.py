"""Load a scenario file, keeping line numbers so every error names file, line and field.

``LineLoader`` is a ``yaml.SafeLoader`` whose mappings and sequences remember the line of
each key and item. Validation errors from the pydantic models carry a location path;
we walk the same path through the loaded data to find its line, and word the message as
what was expected. One error, one line: ``file:line: field: message``.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from apprm_ref.errors import ConfigError

if typing.TYPE_CHECKING:
    from apprm_ref.drill.schema import Scenario


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


class LineLoader(yaml.SafeLoader):
    """SafeLoader recording lines; a duplicate key is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in out:
                raise ConfigError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    field=str(key),
                )
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:  # type: ignore[override]
        out = LineList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_sequence)


def load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
    except ConfigError as exc:
        exc.file = source
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ConfigError(f"not valid YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {' '.join(str(exc).split())}", file=source) from None
    except RecursionError:  # the composer recurses once per level of nesting
        line = _too_deep(text)
        raise ConfigError(
            f"not valid YAML: nested deeper than {MAX_DEPTH} levels", file=source, line=line
        ) from None


MAX_DEPTH = 100


def _too_deep(text: str) -> int:
    """The line where nesting first exceeds :data:`MAX_DEPTH` (the parser keeps its own
    stack, so walking its events does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return int(event.start_mark.line) + 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return 1


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text()
    except FileNotFoundError:
        raise ConfigError("no such scenario file", file=str(path)) from None
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read scenario: {exc.__class__.__name__}", file=str(path)
        ) from None
    return parse_scenario(text, str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    from apprm_ref.drill.schema import Scenario, cross_problem

    data = load_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError(
            "a scenario is a mapping with version: 1, name, estate, ...", file=source, line=1
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, data, source) from None
    scenario._source = data
    problem = cross_problem(scenario) or _spec_problem(scenario)
    if problem is not None:
        loc, message = problem
        raise ConfigError(message, file=source, line=line_of(data, loc), field=format_loc(loc))
    return scenario


def _spec_problem(scenario: Scenario) -> tuple[tuple[Any, ...], str] | None:
    from apprm_ref.core.specs import parse_spec

    for i, spec in enumerate(scenario.specs):
        try:
            parse_spec(spec.model_dump())
        except ConfigError as exc:
            return ("specs", i, *(exc.field or "").split(".")), exc.message
    return None


# --- locations -----------------------------------------------------------------------


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and part.startswith(("step:", "expect:"))


def format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if _is_tag(part) or part == "":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def locate(data: Any, loc: tuple[Any, ...]) -> tuple[int | None, tuple[Any, ...]]:
    """The line of the deepest node on ``loc`` in the loaded data, and ``loc`` as the user
    wrote it: union tags (``step:backup``, an array's ``eva``) dropped, a list item found
    by its ``name`` when a builder names it that way."""
    node, line, path = data, getattr(data, "line", None), []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if _is_tag(part):
            continue
        if isinstance(node, LineDict) and part in node:
            line, node = node.key_lines.get(part, line), node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node.item_lines[part], node[part]
        elif (
            isinstance(node, LineList) and isinstance(part, str) and _named(node, part) is not None
        ):
            k = _named(node, part)
            assert k is not None
            line, node, part = node.item_lines[k], node[k], k
        elif isinstance(node, LineDict) and isinstance(part, str) and not last:
            continue  # a discriminator value between a list item and its fields
        else:
            path.append(part)
            node = None
            continue
        path.append(part)
    return line, tuple(path)


def _named(items: list[Any], name: str) -> int | None:
    for k, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == name:
            return k
    return None


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    return locate(data, loc)[0]


# --- messages ------------------------------------------------------------------------


def _first_error(exc: ValidationError, data: Any, source: str) -> ConfigError:
    errors = exc.errors(include_url=False)
    best = min(errors, key=lambda e: line_of(data, e["loc"]) or 0)
    loc = tuple(best["loc"])
    message = _wording(best, loc)
    line, shown = locate(data, loc)
    return ConfigError(message, file=source, line=line, field=format_loc(shown) or None)


def _wording(err: dict[str, Any], loc: tuple[Any, ...]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return "required field is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    elif msg.startswith("Input should be"):
        msg = "expected" + msg[len("Input should be") :] + f", got {_short(err.get('input'))}"
    msg = " ".join(msg.split())
    return (
        msg if len(msg) <= MESSAGE_MAX else msg[: MESSAGE_MAX - 3] + "..."
    )  # never echo a huge input


MESSAGE_MAX = 400


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    from apprm_ref.drill.schema import Scenario

    model = _model_at(Scenario, loc)
    if model is None:
        return []
    return [n for n, f in model.model_fields.items() if not f.exclude]


def _model_at(tp: Any, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    for part in loc:
        tp = _narrow(tp, part)
        if tp is None:
            return None
    candidates = _models(tp)
    return candidates[0] if len(candidates) == 1 else None


def _narrow(tp: Any, part: Any) -> Any:
    for cand in _flatten(tp):
        if isinstance(part, int):
            if typing.get_origin(cand) in (list, tuple):
                return typing.get_args(cand)[0]
            continue
        if _is_tag(part):
            for m in _models(cand):
                if f"{part.split(':')[0]}:{getattr(m, 'kind', '')}" == part:
                    return m
            continue
        if isinstance(cand, type) and issubclass(cand, BaseModel) and part in cand.model_fields:
            return cand.model_fields[part].annotation
    registered = [m for meta in getattr(tp, "__metadata__", ()) for m in _kind_models(meta)]
    for cand in [*_models(tp), *registered]:  # a union member by its ``type`` value
        kind = cand.model_fields.get("type")
        if kind is not None and part in typing.get_args(kind.annotation):
            return cand
    return None


def _kind_models(meta: Any) -> list[type[BaseModel]]:
    models = getattr(meta, "models", None)  # sim.estate.KindModels: the registered kinds'
    return list(models()) if callable(models) else []


def _flatten(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [x for a in typing.get_args(tp) for x in _flatten(a)]
    return [tp]


def _models(tp: Any) -> list[type[BaseModel]]:
    return [c for c in _flatten(tp) if isinstance(c, type) and issubclass(c, BaseModel)]
