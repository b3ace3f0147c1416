"""Failure events a drill can inject: mistakes and disasters to recover from.

Each uses what the simulators expose: an array backend's ``lose_volume`` when it has one,
else the volume object (``vdisk``/``ldev``) whose content is replaced by a blank volume (a
failed disk group keeps the identity but not the data); the host backend's ``crash`` and
file writes; a database's ``drop_table``/``corrupt_datafile`` or, lacking those, one committed
transaction deleting every row of the table / garbage written over the datafile.
A failure the estate cannot suffer is a bad scenario (ConfigError), not a silent no-op.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import ConfigError
from apprm_ref.sim.storage import VolumeData

APP_METHODS = {
    "dropped_table": ("drop_table", "table"),
    "corrupted_datafile": ("corrupt_datafile", "file"),
}


def inject(world: Any, failure: Any) -> str:
    """Apply ``failure`` (a schema ``Failure``) to the world; returns a one-line label."""
    kind = failure.kind
    if kind == "host_crash":
        world.hosts.crash(failure.host)
        label = f"host {failure.host} crashed"
    elif kind == "corrupted_file":
        label = _corrupt_file(world, failure.host, failure.path)
    elif kind == "lost_volume":
        label = _lose_volume(world, failure.array, failure.volume)
    elif kind in APP_METHODS:
        label = _app_failure(world, kind, failure)
    else:  # pragma: no cover - the schema lists the kinds
        raise ConfigError(f"unsupported failure {kind}", field="fail.kind")
    world.emit("drill.failure", failure=kind, label=label)
    return label


def _corrupt_file(world: Any, host: str, path: str) -> str:
    hosts = world.hosts
    mnt, rel = hosts.mount_of(host, path)
    entry = mnt.files.get(rel)
    if entry is None:
        raise ConfigError(f"no file {path} on {host} to corrupt", field="fail.path")
    hosts.write_file(host, path, {i: ("corrupt", path, i) for i in range(entry.length)})
    return f"{host}:{path} corrupted"


def _lose_volume(world: Any, array_name: str, volume: str) -> str:
    array = world.array(array_name)
    lose = getattr(array, "lose_volume", None)
    if callable(lose):
        lose(volume)
        return f"{array_name}:{volume} lost"
    vol = _find_volume(array, volume)
    if vol is None:
        raise ConfigError(f"no volume {volume!r} on array {array_name}", field="fail.volume")
    data = vol if isinstance(vol, VolumeData) else vol.data
    data.replace_content(VolumeData(data.size_extents, data.extent_bytes))
    return f"{array_name}:{volume} lost (content gone)"


def _find_volume(array: Any, volume: str) -> Any:
    """An array volume object by id or by its configured name (EVA vdisks, XP LDEVs)."""
    for attr in ("vdisks", "ldevs", "volumes"):
        table = getattr(array, attr, None)
        if not isinstance(table, dict):
            continue
        if volume in table:
            return table[volume]
        named = [table[k] for k in sorted(table) if getattr(table[k], "name", None) == volume]
        if named:
            return named[0]
    return None


def _app_failure(world: Any, kind: str, failure: Any) -> str:
    method, arg = APP_METHODS[kind]
    app = world.app(failure.app)
    target = getattr(failure, arg)
    fn = getattr(app, method, None)
    if callable(fn):
        fn(target)
    elif kind == "dropped_table" and callable(getattr(app, "transact", None)):
        rows = app.select(target)  # DROP TABLE: every row gone in one committed transaction
        app.transact([tuple(("delete", target, key) for key in sorted(rows))])
    elif kind == "corrupted_datafile" and getattr(app, "host", None):
        crash = getattr(app, "drop_instance", None)
        if callable(crash):  # media failure: the instance dies on the bad file (shutdown abort)
            crash()
        _corrupt_file(world, app.host, target)
    else:
        raise ConfigError(f"application {failure.app} cannot suffer {kind}", field="fail.kind")
    return f"{failure.app}: {kind} {target}"
