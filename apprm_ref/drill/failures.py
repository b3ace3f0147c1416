"""Failure events a drill can inject: mistakes and disasters to recover from.

A failure names its subject (an application, a host or an array); the registered kind of that
subject declares which failures it can suffer and how (``FailureKind.inject``). A failure
its kind does not declare is a bad scenario (ConfigError), never a silent no-op nor a guess
through another kind. The handlers below are the built-in kinds': an array volume whose
content is replaced by a blank volume (a failed disk group keeps the identity but not the
data), the host backend's ``crash`` and file writes, a database's dropped table (one committed
transaction deleting every row) or corrupted datafile (the instance dies on it).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers import registry
from apprm_ref.drivers.kinds import Descriptor, resolve
from apprm_ref.errors import ConfigError
from apprm_ref.sim.storage import VolumeData


def inject(world: Any, failure: Any) -> str:
    """Apply ``failure`` (a schema ``Failure``) to the world; returns a one-line label."""
    fk = registry.failure(_subject_kind(world, failure), failure.kind)
    label: str = resolve(fk.inject)(world, failure)
    world.emit("drill.failure", failure=failure.kind, label=label)
    return label


def _subject_kind(world: Any, failure: Any) -> Descriptor:
    subject = registry.failure_kinds()[failure.kind][0]
    if subject == "app":
        return registry.application(world.app(failure.app).kind, field="fail.app")
    if subject == "array":
        kind = getattr(world.array(failure.array), "kind", None)  # None: refused, listing kinds
        return registry.array_family(kind, field="fail.array")
    world.hosts.host(failure.host)
    return registry.storage_stack(registry.DEFAULT_STORAGE_STACK, field="fail.host")


# --- hosts (LVM) ------------------------------------------------------------------------


def crash_host(world: Any, failure: Any) -> str:
    world.hosts.crash(failure.host)
    return f"host {failure.host} crashed"


def corrupt_file(world: Any, failure: Any) -> str:
    return _corrupt_file(world, failure.host, failure.path)


def _corrupt_file(world: Any, host: str, path: str) -> str:
    hosts = world.hosts
    mnt, rel = hosts.mount_of(host, path)
    entry = mnt.files.get(rel)
    if entry is None:
        raise ConfigError(f"no file {path} on {host} to corrupt", field="fail.path")
    hosts.write_file(host, path, {i: ("corrupt", path, i) for i in range(entry.length)})
    return f"{host}:{path} corrupted"


# --- arrays -----------------------------------------------------------------------------


def lose_vdisk(world: Any, failure: Any) -> str:
    """EVA: the vdisk keeps its identity, its content is gone."""
    return _lose_from(world, failure, world.array(failure.array).vdisks)


def lose_ldev(world: Any, failure: Any) -> str:
    """XP: the LDEV keeps its identity, its content is gone."""
    return _lose_from(world, failure, world.array(failure.array).ldevs)


def lose_volume_data(world: Any, failure: Any) -> str:
    """An array whose ``volumes`` map holds :class:`VolumeData` directly."""
    return _lose_from(world, failure, world.array(failure.array).volumes)


def _lose_from(world: Any, failure: Any, table: dict[str, Any]) -> str:
    volume = failure.volume
    vol = table.get(volume)
    if vol is None:
        named = [table[k] for k in sorted(table) if getattr(table[k], "name", None) == volume]
        vol = named[0] if named else None
    if vol is None:
        raise ConfigError(f"no volume {volume!r} on array {failure.array}", field="fail.volume")
    data = vol if isinstance(vol, VolumeData) else vol.data
    data.replace_content(VolumeData(data.size_extents, data.extent_bytes))
    return f"{failure.array}:{volume} lost (content gone)"


# --- Oracle -----------------------------------------------------------------------------


def drop_table(world: Any, failure: Any) -> str:
    """DROP TABLE: every row gone in one committed transaction."""
    app = world.app(failure.app)
    rows = app.select(failure.table)
    app.transact([tuple(("delete", failure.table, key) for key in sorted(rows))])
    return f"{failure.app}: dropped_table {failure.table}"


def corrupt_datafile(world: Any, failure: Any) -> str:
    """Media failure: the instance dies on the bad file (shutdown abort), then the garbage."""
    app = world.app(failure.app)
    app.drop_instance()
    _corrupt_file(world, app.host, failure.file)
    return f"{failure.app}: corrupted_datafile {failure.file}"
