"""Typed options of a kind: one frozen dataclass per kind, never a bag of keywords.

Every kind's descriptor names its models (``restore_options`` of an array family,
``recovery_options`` of an application). A request is built from what the user gave
(:func:`build`) or carried over from a more general model (:func:`narrow`); an option the
kind does not have is refused with the list it has, never ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from apprm_ref.errors import ConfigError

T = TypeVar("T")


def names(model: type[Any]) -> list[str]:
    """The option names of ``model`` (a dataclass), in declaration order."""
    if not dataclasses.is_dataclass(model):
        raise ConfigError(f"{model.__qualname__} is not an options dataclass", field="kind")
    return [f.name for f in dataclasses.fields(model)]


def build(model: type[T], given: Mapping[str, Any], *, owner: str, field: str) -> T:
    """``model(**given)``, refusing a name ``model`` lacks with the names it has."""
    known = names(model)
    unknown = sorted(k for k in given if k not in known)
    if unknown:
        has = ", ".join(known) or "none"
        raise ConfigError(
            f"{owner} has no option {', '.join(repr(k) for k in unknown)}; it has: {has}",
            field=field,
        )
    return model(**given)


def narrow(model: type[T], options: object, *, owner: str, field: str) -> T:
    """``options`` as ``model``: itself when it is one, else its fields carried over (a
    model whose fields ``model`` all has, such as the common base); anything else refused."""
    if type(options) is model:
        return options
    given = {n: getattr(options, n) for n in names(type(options))}
    return build(model, given, owner=owner, field=field)
