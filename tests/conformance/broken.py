"""Deliberately broken drivers: a wrapper around a subject's driver that overrides one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apprm_ref.conformance.suite import Subject
from apprm_ref.drivers.capabilities import Capabilities


class Wrapped:
    """Delegates everything to ``inner`` except the overridden calls."""

    def __init__(self, inner: Any, **calls: Callable[..., Any]) -> None:
        self._inner = inner
        self.__dict__.update(calls)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def broken(subject: Subject, **calls: Callable[..., Any]) -> Subject:
    subject.driver = Wrapped(subject.driver, **calls)
    return subject


def with_features(caps: Capabilities, features: set[str]) -> Capabilities:
    return Capabilities(caps.kind, caps.vendor, caps.model, frozenset(features), dict(caps.limits))
