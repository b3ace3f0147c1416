"""The data a drill protects, reduced to digests so a ``mark`` can be compared later.

A filesystem object is the digest of every file under the mount point on the application
system, read through the host (so it is what the application would see). An application
backend that offers ``data_digest()`` or ``data()`` (a database's committed rows) adds its own entry.
Unavailable data (host down, not mounted) is a value too: it never equals a real state.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from apprm_ref.drivers import registry
from apprm_ref.errors import ApprmError

State = dict[str, str]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def filesystem_state(world: Any, host: str, mount_point: str) -> str:
    hosts = world.hosts
    try:
        files = hosts.list_files(host, mount_point)
        return _digest([[path, list(hosts.read_file(host, path))] for path in files])
    except ApprmError as exc:
        return f"unavailable ({exc})"


def app_state(backend: Any) -> str | None:
    """A database's committed data (``data_digest()`` or ``data()``); None if it has none."""
    digest, data = getattr(backend, "data_digest", None), getattr(backend, "data", None)
    try:
        if callable(digest):
            return str(digest())
        if callable(data):
            return _digest(data())
    except ApprmError as exc:
        return f"unavailable ({exc.code or exc.__class__.__name__})"
    return None


def capture(world: Any, specs: list[Any]) -> State:
    """Every protected object's data digest: ``SPEC:OBJECT`` and ``app:NAME``."""
    state: State = {}
    for spec in sorted(specs, key=lambda s: s.name):
        if registry.application(spec.type).mount_objects:
            for mp in spec.objects:
                state[f"{spec.name}:{mp}"] = filesystem_state(world, spec.application_system, mp)
    for name in sorted(world.apps):
        value = app_state(world.apps[name])
        if value is not None:
            state[f"app:{name}"] = value
    return state


def select(state: State, which: str | None, specs: list[Any]) -> State:
    """Restrict to one spec or application (by spec name, app name or object)."""
    if which is None:
        return state
    keys = {f"app:{which}"}
    for spec in specs:
        if spec.name == which or which in spec.objects:
            keys.update(f"{spec.name}:{o}" for o in spec.objects)
            keys.update(f"app:{o}" for o in spec.objects)
    return {k: v for k, v in state.items() if k in keys or k.startswith(f"{which}:")}


def differences(expected: State, actual: State) -> list[str]:
    out = []
    for key in sorted(set(expected) | set(actual)):
        a, b = expected.get(key, "absent"), actual.get(key, "absent")
        if a != b:
            out.append(f"{key} {b} != {a}")
    return out
