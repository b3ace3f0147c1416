"""Choosing a VSS spec's components from the writers' metadata, and the configuration check
that decides which of them an instant recovery may restore alone.

A spec names its objects; a writer kind (``VssIntegration.writer``) finds them among its
writer's components by component name or full logical path (``SERVER\\db``). A component
can be restored alone only when the replication units (disks) holding its files hold no
other component's files and, under the strict check, no other file at all (vss-and-core.md
§5.6, §10); a filesystem-only spec selects no component.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apprm_ref.core.context import SessionContext
from apprm_ref.drivers.vss import ComponentInfo, WriterInfo
from apprm_ref.errors import ConfigError, VssError


@dataclass(frozen=True)
class Selected:
    writer: WriterInfo
    component: ComponentInfo


def find_writer(writers: Sequence[WriterInfo], name: str) -> WriterInfo:
    found = [w for w in writers if w.name == name]
    if not found:
        raise VssError(
            f"writer {name} is not on the application system (not running, or failed at "
            "Identify until its service restarts)",
            code="VSS_E_OBJECT_NOT_FOUND",
        )
    return found[0]


def select(writer: WriterInfo, objects: Sequence[str]) -> list[Selected]:
    """The components the spec's objects name, each once, selectable for backup."""
    out: list[Selected] = []
    for obj in objects:
        hits = [c for c in writer.components if obj in (c.name, c.full_path)]
        if len(hits) != 1:
            names = ", ".join(c.full_path for c in writer.components) or "none"
            what = "is ambiguous" if hits else "is not a component"
            raise ConfigError(
                f"{obj!r} {what} of {writer.name} (components: {names})", field="objects"
            )
        if not hits[0].selectable:
            raise ConfigError(f"{hits[0].full_path} is not selectable for backup", field="objects")
        out.append(Selected(writer, hits[0]))
    return out


def component_files(selected: Sequence[Selected]) -> list[str]:
    return [f for s in selected for f in s.component.files]


def restorable_alone(
    ctx: SessionContext, selected: Sequence[Selected], mode: str
) -> dict[str, bool]:
    """Per component (full path): whether its disks hold only its own files (strict) or no
    other selected component's (non-strict); ``disabled`` reports and allows none alone."""
    assert ctx.spec is not None
    host, hd = ctx.spec.application_system, ctx.drivers.host
    stack = hd.stack(host)
    units = {s.component.full_path: _units(stack, host, s.component.files) for s in selected}
    out: dict[str, bool] = {}
    for s in selected:
        mine = units[s.component.full_path]
        others = [p for p, u in units.items() if p != s.component.full_path and u & mine]
        foreign: list[str] = []
        if mode == "strict":
            own = {f.upper() for f in s.component.files}
            for mp in sorted(_mounts_of(stack, host, mine, hd)):
                foreign += [f for f in hd.list_files(host, mp) if f.upper() not in own]
        out[s.component.full_path] = mode != "disabled" and not others and not foreign
        if not out[s.component.full_path]:
            why = others[0] if others else (foreign[0] if foreign else "the check is disabled")
            ctx.info(
                f"VSSBAR@{host}",
                f"Configuration check: {s.component.full_path} cannot be restored alone "
                f"({why} shares its volumes)",
            )
    return out


def _units(stack: object, host: str, files: Sequence[str]) -> set[str]:
    return {lay.group_id for lay in stack.resolve(host, list(files))}  # type: ignore[attr-defined]


def _mounts_of(stack: object, host: str, units: set[str], hd: object) -> set[str]:
    mounts = [m.mount_point for m in hd.mounts(host)]  # type: ignore[attr-defined]
    out = set()
    for lay in stack.resolve(host, mounts):  # type: ignore[attr-defined]
        if lay.group_id in units:
            out.add(lay.mount_point)
    return out
