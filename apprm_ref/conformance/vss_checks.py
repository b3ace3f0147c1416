"""Checks for VSS drivers (``VssDriver``, drivers/vss.py): the writers ``vssadmin list
writers`` reports, the writers' metadata, a component selection, a shadow-copy set made by
the host's hardware provider, and the refusals a requester gives (the HRESULT name,
repeated, changing nothing: VC-I1).

The VSS Protocol is one requester's calls in order, so this family has fewer than 120
checks; what a driver cannot serve (a diskshadow script cannot take the product's replicas
or run the restore events) is a declared capability, and without it the call must be
refused with ``E_NOTIMPL``, never faked.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from apprm_ref.conformance.suite import SMALL_FAMILIES, Ctx, Subject, expect, register
from apprm_ref.drivers.vss import DIFFERENTIAL, NO_AUTO_RELEASE, PERSISTENT, TRANSPORTABLE
from apprm_ref.errors import VssError

F = "vss"
SMALL_FAMILIES[F] = (
    "the VSS Protocol is one requester's calls in order (writers, metadata, components, a "
    "set, its completion): each step's result, its refusals and the capabilities' gating"
)
# an application-rollback set of snapshots (a snapclone would normalize before the next set)
CONTEXT = PERSISTENT | NO_AUTO_RELEASE | TRANSPORTABLE | DIFFERENTIAL
NO_WRITER = "00000000-0000-0000-0000-000000000000"


def _writers(s: Subject) -> tuple[Any, ...]:
    return tuple(
        (w.writer_id, w.name, w.state, w.state_text, w.last_error)
        for w in s.driver.writers(s.fixture.host)
    )


def observe(s: Subject) -> Any:
    """What ``vssadmin list writers`` reports: a refusal must leave it as it was."""
    return _writers(s)


def inventory(s: Subject) -> Any:
    """The writers themselves: a check's backups may leave one waiting for completion (a
    copy backup gets no BackupComplete, and BackupShutdown leaves the state as it is)."""
    return tuple(w[:2] for w in _writers(s))


def _open(ctx: Ctx, backup_type: str = "full") -> Any:
    """A requester up to GatherWriterMetadata; it is released when the check ends."""
    b = ctx.driver.backup(ctx.fx.host)
    ctx.track("release the requester", lambda: _release(b))
    b.initialize_for_backup()
    b.set_context(CONTEXT)
    b.set_backup_state(True, backup_type)
    return b, b.gather_writer_metadata()


def _release(b: Any) -> None:
    with contextlib.suppress(VssError):  # nothing to abort (completed or never started)
        b.abort_backup()
    b.release()


def _forget(ctx: Ctx, set_id: str) -> None:
    """The set's shadow copies leave VSS's list (a driver whose host cannot drop them keeps
    them: the product owns the LUNs)."""
    try:
        ctx.driver.forget_set(ctx.fx.host, set_id)
    except VssError as exc:
        if exc.code != "E_NOTIMPL":
            raise


def _set(ctx: Ctx, backup_type: str = "full", *, complete: bool = True) -> tuple[Any, list[Any]]:
    """A set of the fixture's volumes made by the hardware provider, its components chosen."""
    b, _ = _open(ctx, backup_type)
    for path, name in ctx.fx.components:
        b.add_component(ctx.fx.writer_id, path, name)
    b.start_snapshot_set()
    for vol in ctx.fx.volumes:
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()
    ctx.wait(b.do_snapshot_set())
    b.freeze()
    ctx.wait(b.commit(None))
    shadows = b.shadows()
    for set_id in sorted({s.set_id for s in shadows}):
        ctx.track(f"forget set {set_id}", functools.partial(_forget, ctx, set_id))
    if complete and backup_type == "full":
        for path, name in ctx.fx.components:
            b.set_backup_succeeded(ctx.fx.writer_id, path, name, True)
        b.backup_complete()
    return b, shadows


def _mine(writers: list[Any], ctx: Ctx) -> Any:
    found = [w for w in writers if w.writer_id == ctx.fx.writer_id]
    expect(len(found) == 1, f"writer {ctx.fx.writer} ({ctx.fx.writer_id}) listed {len(found)}x")
    return found[0]


# --- writers and metadata --------------------------------------------------------------


def _listed(ctx: Ctx) -> None:
    ws = ctx.driver.writers(ctx.fx.host)
    ids = [w.writer_id for w in ws]
    expect(bool(ids) and len(ids) == len(set(ids)), f"writer ids {ids}")
    expect(all(w.name and w.state_text and w.last_error for w in ws), f"incomplete rows {ws}")
    expect(_mine(ws, ctx).name == ctx.fx.writer, "the fixture's writer under another name")


def _stable(ctx: Ctx) -> None:
    bad = [(w.name, w.state, w.last_error) for w in ctx.driver.writers(ctx.fx.host)]
    bad = [b for b in bad if b[1:] != (1, "S_OK")]
    expect(not bad, f"writers of an idle host not [1] Stable / No error: {bad}")


def _metadata(ctx: Ctx) -> None:
    _, ws = _open(ctx)
    mine = _mine(ws, ctx)
    have = {(c.logical_path, c.name): c for c in mine.components}
    for comp in ctx.fx.components:
        expect(comp in have, f"{ctx.fx.writer} lacks component {comp}: {sorted(have)}")
        expect(bool(have[comp].files) and have[comp].selectable, f"component {have[comp]}")


def _metadata_matches(ctx: Ctx) -> None:
    _, ws = _open(ctx)
    listed = {w.writer_id: w.state for w in ctx.driver.writers(ctx.fx.host)}
    gathered = {w.writer_id: w.state for w in ws}
    expect(
        set(gathered) <= set(listed), f"gathered writers not listed: {set(gathered) - set(listed)}"
    )
    expect(all(listed[k] == v for k, v in gathered.items()), "gathered states differ from vssadmin")


def _files_on_volumes(ctx: Ctx) -> None:
    _, ws = _open(ctx)
    have = {(c.logical_path, c.name): c for c in _mine(ws, ctx).components}
    vols = tuple(v.upper() for v in ctx.fx.volumes)
    for comp in ctx.fx.components:
        off = [f for f in have[comp].files if not f.upper().startswith(vols)]
        expect(not off, f"{comp} has files off the fixture's volumes: {off}")


def _wmd_xml(ctx: Ctx) -> None:
    _, ws = _open(ctx)
    xml = _mine(ws, ctx).wmd_xml
    expect("WRITER_METADATA" in xml.upper() and ctx.fx.writer_id in xml.lower(), "WMD XML")


# --- refusals --------------------------------------------------------------------------


def _gather_first(ctx: Ctx) -> None:
    b = ctx.driver.backup(ctx.fx.host)
    ctx.track("release the requester", lambda: _release(b))
    ctx.refused(b.gather_writer_metadata, "VSS_E_BAD_STATE")


def _add_before_gather(ctx: Ctx) -> None:
    b = ctx.driver.backup(ctx.fx.host)
    ctx.track("release the requester", lambda: _release(b))
    b.initialize_for_backup()
    path, name = ctx.fx.components[0]
    ctx.refused(lambda: b.add_component(ctx.fx.writer_id, path, name), "VSS_E_BAD_STATE")


def _prepare_without_set(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    ctx.refused(b.prepare_for_backup, "VSS_E_BAD_STATE")


def _complete_early(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    ctx.refused(b.backup_complete, "VSS_E_BAD_STATE")


def _bad_type(ctx: Ctx) -> None:
    b = ctx.driver.backup(ctx.fx.host)
    ctx.track("release the requester", lambda: _release(b))
    b.initialize_for_backup()
    b.set_context(CONTEXT)
    ctx.refused(lambda: b.set_backup_state(True, "weekly"), "E_INVALIDARG")
    b.set_backup_state(True, "full")  # the refusal left the requester usable


def _unknown_writer(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    path, name = ctx.fx.components[0]
    ctx.refused(lambda: b.add_component(NO_WRITER, path, name), "VSS_E_OBJECT_NOT_FOUND")


def _unknown_component(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    path = ctx.fx.components[0][0]
    ctx.refused(
        lambda: b.add_component(ctx.fx.writer_id, path, "no-such-component"),
        "VSS_E_OBJECT_NOT_FOUND",
    )


def _component_twice(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    path, name = ctx.fx.components[0]
    b.add_component(ctx.fx.writer_id, path, name)
    ctx.refused(
        lambda: b.add_component(ctx.fx.writer_id, path, name), "VSS_E_OBJECT_ALREADY_EXISTS"
    )


# --- a component selection and a set ---------------------------------------------------


def _selection(ctx: Ctx) -> None:
    b, ws = _open(ctx)
    for c in _mine(ws, ctx).components:
        if c.selectable:
            b.add_component(ctx.fx.writer_id, c.logical_path, c.name)
    b.start_snapshot_set()
    for vol in ctx.fx.volumes:
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()  # every selectable component chosen is a valid selection


def _provider_set(ctx: Ctx) -> None:
    _, shadows = _set(ctx)
    expect(len({s.set_id for s in shadows}) == 1, f"sets {[s.set_id for s in shadows]}")
    vols = sorted(s.volume.upper() for s in shadows)
    expect(vols == sorted(v.upper() for v in ctx.fx.volumes), f"shadowed volumes {vols}")
    expect(all(s.attributes & PERSISTENT for s in shadows), "a shadow copy is not persistent")
    expect(all(s.attributes & TRANSPORTABLE for s in shadows), "not transportable")
    ids = [s.shadow_id for s in shadows]
    expect(len(set(ids)) == len(ids) and all(s.device for s in shadows), f"shadows {shadows}")


def _after_backup(ctx: Ctx) -> None:
    before = _writers(ctx.subject)
    _set(ctx)
    after = _writers(ctx.subject)
    expect(after == before, f"writers after BackupComplete {after}, before {before}")


def _copy_backup(ctx: Ctx) -> None:
    _, shadows = _set(ctx, "copy")
    expect(len(shadows) == len(ctx.fx.volumes), f"copy backup shadows {shadows}")
    mine = _mine(ctx.driver.writers(ctx.fx.host), ctx)
    expect(not mine.failed and mine.last_error == "S_OK", f"after a copy backup {mine}")


def _two_sets(ctx: Ctx) -> None:
    _, one = _set(ctx)
    _, two = _set(ctx)
    expect({s.set_id for s in one}.isdisjoint({s.set_id for s in two}), "a set id reused")
    expect({s.shadow_id for s in one}.isdisjoint({s.shadow_id for s in two}), "shadow reused")


def _abort(ctx: Ctx) -> None:
    b, _ = _open(ctx)
    path, name = ctx.fx.components[0]
    b.add_component(ctx.fx.writer_id, path, name)
    b.start_snapshot_set()
    for vol in ctx.fx.volumes:
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()
    b.abort_backup()
    _stable(ctx)
    _set(ctx)  # the writers take the next backup


def _hold_visible(ctx: Ctx) -> None:
    """Between Freeze and the commit the writer waits for thaw, then for completion."""
    b, _ = _open(ctx)
    for path, name in ctx.fx.components:
        b.add_component(ctx.fx.writer_id, path, name)
    b.start_snapshot_set()
    for vol in ctx.fx.volumes:
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()
    ctx.wait(b.do_snapshot_set())
    b.freeze()
    held = _mine(ctx.driver.writers(ctx.fx.host), ctx)
    expect((held.state, held.state_text) == (3, "Waiting for thaw"), f"in the hold {held}")
    ctx.wait(b.commit(None))
    for set_id in sorted({s.set_id for s in b.shadows()}):
        ctx.track(f"forget set {set_id}", functools.partial(_forget, ctx, set_id))
    done = _mine(ctx.driver.writers(ctx.fx.host), ctx)
    expect(done.state == 5, f"after the commit {done} (waiting for completion)")
    b.backup_complete()
    _stable(ctx)


def _bcd(ctx: Ctx) -> None:
    b, _ = _set(ctx)
    xml = b.save_as_xml()
    for _path, name in ctx.fx.components:
        expect(name in xml, f"the BCD lacks component {name}")
    expect(ctx.fx.writer_id in xml.lower(), "the BCD lacks the writer")


def _forget_set(ctx: Ctx) -> None:
    _, shadows = _set(ctx)
    set_id = shadows[0].set_id
    _forget(ctx, set_id)
    ctx.untrack(f"forget set {set_id}")
    _forget(ctx, set_id)  # a set already forgotten is no error


def _product_targets(ctx: Ctx) -> None:
    """With product-replica, a replica the product failed to make inside the hold window is
    abandoned: the set is dropped and the writers are thawed; without it the product's
    targets are refused with E_NOTIMPL and nothing is created."""
    from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef

    b, _ = _open(ctx)
    for path, name in ctx.fx.components:
        b.add_component(ctx.fx.writer_id, path, name)
    b.start_snapshot_set()
    for vol in ctx.fx.volumes:
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()
    ctx.wait(b.do_snapshot_set())
    b.freeze()
    if not ctx.driver.capabilities().has("product-replica"):
        mine = [TargetVolume(VolumeRef("a", "s"), VolumeRef("a", "t"), ReplicaType.SNAPCLONE)]
        ctx.refused(lambda: b.commit(mine), "E_NOTIMPL")
        expect(not b.shadows(), f"a refused commit made {b.shadows()}")
        return
    b.abandon()
    expect(not b.shadows(), f"an abandoned set left {b.shadows()}")
    mine = _mine(ctx.driver.writers(ctx.fx.host), ctx)
    expect(mine.state != 3, f"the writer still waits for thaw after the abandon: {mine}")
    _set(ctx)  # the next backup runs


def _restore_gated(ctx: Ctx) -> None:
    if not ctx.driver.capabilities().has("vss-restore"):
        ctx.refused(lambda: ctx.driver.restore(ctx.fx.host, "", []), "E_NOTIMPL")
        return
    b, _ = _set(ctx)
    r = ctx.driver.restore(ctx.fx.host, b.save_as_xml(), [])
    path, name = ctx.fx.components[0]
    ctx.refused(
        lambda: r.select_for_restore(
            ctx.fx.writer_id, path, "not-backed-up", additional_restores=False
        ),
        "VSS_E_OBJECT_NOT_FOUND",
    )
    r.select_for_restore(ctx.fx.writer_id, path, name, additional_restores=False)
    expect(_mine(r.writer_status(), ctx).state == 1, "the selected writer is not stable")


def add(cid: str, doc: str, fn: Any, requires: tuple[str, ...] = ()) -> None:
    register(F, cid, doc, fn, requires=requires)


for cid, doc, fn, req in (
    ("writers.listed", "vssadmin list writers: every writer once, named, with a state", _listed, ()),
    ("writers.stable", "an idle host's writers are [1] Stable, no error", _stable, ()),
    ("metadata.components", "the writer's metadata lists the fixture's components", _metadata, ()),
    ("metadata.matches_writers", "gathered writers are those vssadmin lists", _metadata_matches, ()),
    ("metadata.files", "a component's files lie on the fixture's volumes", _files_on_volumes, ()),
    ("metadata.wmd_xml", "the metadata carries the writer's WMD XML", _wmd_xml, ("bcd-xml",)),
    ("order.gather_first", "GatherWriterMetadata first is VSS_E_BAD_STATE", _gather_first, ()),
    ("order.add_before_gather", "AddComponent before the metadata: VSS_E_BAD_STATE", _add_before_gather, ()),
    ("order.prepare_without_set", "PrepareForBackup without a set: VSS_E_BAD_STATE", _prepare_without_set, ()),
    ("order.complete_early", "BackupComplete before a set: VSS_E_BAD_STATE", _complete_early, ()),
    ("state.bad_backup_type", "a backup type VSS lacks is E_INVALIDARG", _bad_type, ()),
    ("component.unknown_writer", "a writer not gathered: VSS_E_OBJECT_NOT_FOUND", _unknown_writer, ()),
    ("component.unknown", "a component the writer lacks: VSS_E_OBJECT_NOT_FOUND", _unknown_component, ()),
    ("component.twice", "a component added twice: VSS_E_OBJECT_ALREADY_EXISTS", _component_twice, ()),
    ("component.selection", "every selectable component may be chosen", _selection, ()),
    ("backup.provider_set", "a full backup's set: one shadow per volume, persistent", _provider_set, ()),
    ("backup.writers_after", "after BackupComplete vssadmin reports the writers as before", _after_backup, ()),
    ("backup.copy", "a copy backup makes the set too", _copy_backup, ()),
    ("backup.two_sets", "two backups make two sets with their own ids", _two_sets, ()),
    ("backup.abort", "an aborted requester leaves the writers ready for the next", _abort, ()),
    ("backup.hold_visible", "vssadmin shows the writer waiting for thaw, then completion", _hold_visible, ("split-creation",)),
    ("backup.bcd", "the BCD names the chosen components and writer", _bcd, ("bcd-xml",)),
    ("backup.forget_set", "forgetting a set twice is no error", _forget_set, ()),
    ("gating.product_replica", "an abandoned product replica thaws, or E_NOTIMPL without product-replica", _product_targets, ()),
    ("gating.restore", "a restore selects only what the BCD holds, or is E_NOTIMPL without vss-restore", _restore_gated, ()),
):  # fmt: skip
    add(cid, doc, fn, req)
