"""Host refusals and the Windows-specific checks (drive letters, mount folders, signature
collision), registered in the ``host`` family (host_checks.py).

A refusal names a situation; the subject's ``codes`` say what its stack answers (an errno
name for LVM, a VDS or Win32 name for Windows). ``ACCEPTED`` marks a situation the stack
answers by accepting the call, twice, changing nothing (Windows brings an online disk
"online" again without complaint; ``vgchange -a n`` of an inactive VG is a no-op).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apprm_ref.conformance.host_checks import (
    NO_HOST,
    PREFIX,
    SPEC,
    TAG,
    _imported,
    _lay,
    _mount,
    _mounted,
    _released,
    _stack,
    _unmounted,
    _windows_only,
    add,
)
from apprm_ref.conformance.host_subjects import ACCEPTED
from apprm_ref.conformance.suite import Ctx, expect

NO_ID = "conf-no-such-id"


def _lay_of(ctx: Ctx, state: Any) -> Any:
    return state["lay"] if state and "lay" in state else _lay(ctx)


def _st_unmounted(ctx: Ctx) -> dict[str, Any]:
    return {"lay": _unmounted(ctx)}


def _st_released(ctx: Ctx) -> dict[str, Any]:
    return {"lay": _released(ctx)}


def _st_imported(ctx: Ctx) -> dict[str, Any]:
    name, point = _imported(ctx)
    return {"lay": _lay(ctx), "name": name, "point": point}


def _st_surfaced(ctx: Ctx) -> dict[str, Any]:
    name, point = _imported(ctx, mount=False)
    return {"lay": _lay(ctx), "name": name, "point": point}


def _st_exported(ctx: Ctx) -> dict[str, Any]:
    state = _st_surfaced(ctx)
    _stack(ctx, ctx.fx.backup).export_group(ctx.fx.backup, state["name"])
    ctx.untrack("export")
    return state


def _st_held(ctx: Ctx) -> dict[str, Any]:
    fx, bd = ctx.fx, ctx.backdoor()
    bd.hold(fx.host, fx.mount_point)
    ctx.track("let go", lambda: bd.let_go(fx.host, fx.mount_point))
    return {}


def _bk(ctx: Ctx) -> Any:
    return _stack(ctx, ctx.fx.backup)


def _no_unit(ctx: Ctx, s: Any) -> Any:
    return replace(_lay_of(ctx, s), group=ctx.fx.no_group, group_id=NO_ID)


Call = Any
REFUSALS: dict[str, tuple[Call, str | None, Any, tuple[str, ...]]] = {
    # id: (call(ctx, state), code or "@situation", setup(ctx) -> state, capabilities)
    "not-found.host.rescan": (lambda c, s: c.driver.rescan(NO_HOST), None, None, ()),
    "not-found.host.mounts": (lambda c, s: c.driver.mounts(NO_HOST), None, None, ()),
    "not-found.host.stack": (lambda c, s: c.driver.stack(NO_HOST), None, None, ()),
    "not-found.host.run-script": (lambda c, s: c.driver.run_script(NO_HOST, "conf-ok"), None, None, ()),
    "not-found.path.mount-of": (lambda c, s: c.driver.mount_of(c.fx.host, c.fx.nowhere), "@no-path", None, ()),
    "not-found.path.volumes-under": (lambda c, s: c.driver.volumes_under(c.fx.host, c.fx.nowhere), "@no-path", None, ()),
    "not-found.path.resolve": (lambda c, s: _stack(c).resolve(c.fx.host, [c.fx.nowhere]), "@no-path", None, ()),
    "not-found.path.read-file": (lambda c, s: c.driver.read_file(c.fx.host, c.fx.probe + ".none"), "ENOENT", None, ()),
    "not-found.path.list-files": (lambda c, s: c.driver.list_files(c.fx.host, c.fx.nowhere), "ENOENT", None, ()),
    "not-found.path.copy-file": (lambda c, s: c.driver.copy_file(c.fx.host, c.fx.probe + ".none", c.fx.copy_dst), "ENOENT", None, ()),
    "not-found.script": (lambda c, s: c.driver.run_script(c.fx.host, "conf-no-script"), "ENOENT", None, ()),
    "not-found.group.export": (lambda c, s: _bk(c).export_group(c.fx.backup, c.fx.no_group), "@no-group", None, ("import",)),
    "not-found.group.import": (lambda c, s: _bk(c).import_group(c.fx.backup, replace(_lay(c), group_id=NO_ID), c.fx.replica, TAG, read_only=True), "@no-group-id", None, ("import",)),
    "not-found.volume.mount-imported": (lambda c, s: _bk(c).mount_imported(c.fx.backup, s["name"], replace(s["lay"], volume=c.fx.no_volume), c.fx.free_point, read_only=True), "@no-volume", _st_surfaced, ("import",)),
    "not-found.group.release": (lambda c, s: _stack(c).release(c.fx.host, _no_unit(c, s)), "@no-group", None, ()),
    "not-found.group.reattach": (lambda c, s: _stack(c).reattach(c.fx.host, _no_unit(c, s)), "@no-group", None, ()),
    "not-found.group.remount": (lambda c, s: _stack(c).remount(c.fx.host, _no_unit(c, s)), "@no-group", _st_unmounted, ()),
    "not-mounted.unmount": (lambda c, s: _stack(c).unmount(c.fx.host, c.fx.free_point), "@not-mounted", None, ()),
    "not-mounted.freeze": (lambda c, s: c.driver.freeze(c.fx.host, c.fx.nowhere), "ENOENT", None, ("freeze",)),
    "not-mounted.thaw": (lambda c, s: c.driver.thaw(c.fx.host, c.fx.nowhere), "ENOENT", None, ("freeze",)),
    "busy.mount-imported-twice": (lambda c, s: _bk(c).mount_imported(c.fx.backup, s["name"], s["lay"], s["point"], read_only=True), "@taken", _st_imported, ("import",)),
    "busy.import-again": (lambda c, s: _bk(c).import_group(c.fx.backup, s["lay"], c.fx.replica, TAG, read_only=True), "@import-again", _st_imported, ("import",)),
    "busy.release-in-use": (lambda c, s: _stack(c).release(c.fx.host, _lay(c)), "@in-use", _st_held, ()),
    "busy.unmount-in-use": (lambda c, s: _stack(c).unmount(c.fx.host, c.fx.mount_point), "@in-use", _st_held, ()),
    "busy.remount-mounted": (lambda c, s: _stack(c).remount(c.fx.host, _lay(c)), "@remount-mounted", None, ()),
    "inactive.remount": (lambda c, s: _stack(c).remount(c.fx.host, s["lay"]), "@inactive-remount", _st_released, ()),
    "inactive.release-again": (lambda c, s: _stack(c).release(c.fx.host, s["lay"]), "@release-again", _st_released, ()),
    "active.reattach": (lambda c, s: _stack(c).reattach(c.fx.host, _lay(c)), "@reattach-active", None, ()),
    "unmounted.list-files": (lambda c, s: c.driver.list_files(c.fx.host, c.fx.mount_point), "ENOENT", _st_unmounted, ()),
    "unmounted.unmount-again": (lambda c, s: _stack(c).unmount(c.fx.host, c.fx.mount_point), "@not-mounted", _st_unmounted, ()),
    "prefix.replica-mount-point": (lambda c, s: _bk(c).replica_mount_point(c.fx.backup, "/conf-other", SPEC, _lay(c)), "@prefix", None, ()),
    "exported.mount-imported": (lambda c, s: _bk(c).mount_imported(c.fx.backup, s["name"], s["lay"], s["point"], read_only=True), "@no-group", _st_exported, ("import",)),
    "exported.export-again": (lambda c, s: _bk(c).export_group(c.fx.backup, s["name"]), "@export-again", _st_exported, ("import",)),
}  # fmt: skip


def _accepted(ctx: Ctx, call: Any) -> None:
    before = ctx.fingerprint()
    for attempt in (1, 2):
        call()
        expect(ctx.fingerprint() == before, f"attempt {attempt}: accepted but changed state")


def _refusal(call: Call, code: str | None, setup: Any) -> Any:
    def run(ctx: Ctx) -> None:
        state = setup(ctx) if setup is not None else None
        want = ctx.code(code[1:], None) if code and code.startswith("@") else code
        if want == ACCEPTED:
            _accepted(ctx, lambda: call(ctx, state))
        else:
            ctx.refused(lambda: call(ctx, state), want)

    return run


for _cid, (_call, _code, _setup, _req) in REFUSALS.items():
    _what = (f"the stack's code for {_code[1:]}" if _code.startswith("@") else _code) if _code else "a not-found error"  # fmt: skip
    add(_cid, f"{_cid.split('.', 1)[1].replace('.', ' ')}: refused with {_what}, twice, changing nothing",
        _refusal(_call, _code, _setup), _req)  # fmt: skip


# --- Windows: drive letters, mount folders, signature collision ----------------------------


def _win_next_letter(ctx: Ctx) -> None:
    """A second replica goes on the next free drive letter (D: is now the first's)."""
    _windows_only(ctx)
    fx = ctx.fx
    _, point = _imported(ctx)
    nxt = _bk(ctx).replica_mount_point(fx.backup, PREFIX, SPEC, _lay(ctx))
    expect((point, nxt) == ("D:\\", "E:\\"), f"drive letters {point}, then {nxt}")


def _win_mount_folder(ctx: Ctx) -> None:
    """A mount folder is a volume of its own disk inside the drive letter's volume."""
    _windows_only(ctx)
    fx = ctx.fx
    outer = _lay(ctx)
    inner = _stack(ctx).resolve(fx.host, [fx.nested])
    expect([x.mount_point for x in inner] == [fx.nested], f"resolve of {fx.nested}: {inner}")
    expect(inner[0].group_id != outer.group_id, "mount folder shares the letter's disk")
    expect(_mounted(ctx, fx.host, fx.nested), f"{fx.nested} not listed in mounts")


def _win_collision(ctx: Ctx) -> None:
    """A copy of the source disk on the same host collides; bringing it online writes a
    new signature, and the source keeps its own (VDSDiskOfflineReasonCollision)."""
    _windows_only(ctx)
    fx, st, lay = ctx.fx, _stack(ctx), _lay(ctx)
    name = st.import_group(fx.host, lay, fx.collide, TAG, read_only=True)
    ctx.track("offline copy", lambda: st.export_group(fx.host, name))
    point = st.replica_mount_point(fx.host, PREFIX, SPEC, lay)
    st.mount_imported(fx.host, name, lay, point, read_only=True)
    ctx.track("dismount copy", lambda: st.unmount(fx.host, point))
    (copy,) = [x for x in st.resolve(fx.host, [point]) if x.mount_point == point]
    expect(copy.group != lay.group and copy.group_id != lay.group_id, f"no new signature: {copy}")
    expect(_lay(ctx) == lay, "the source disk changed")
    expect(_mount(ctx, fx.host, point).read_only, "the copy is not read-only")


def _win_refusal(call: Call, code: str, setup: Any) -> Any:
    inner = _refusal(call, code, setup)

    def run(ctx: Ctx) -> None:
        _windows_only(ctx)
        inner(ctx)

    return run


for _cid, _doc, _fn in [
    ("windows.next-drive-letter", "a second replica gets the next free drive letter", _win_next_letter),
    ("windows.mount-folder", "a mount folder resolves to its own disk, inside the letter", _win_mount_folder),
    ("windows.signature-collision", "a same-host copy comes online with a new signature, read only", _win_collision),
]:  # fmt: skip
    add(_cid, _doc, _fn, ("import",) if "collision" in _cid or "letter" in _cid else ())

for _cid, _call, _code, _setup in [
    ("windows.system-letter", lambda c, s: _bk(c).mount_imported(c.fx.backup, s["name"], s["lay"], "C:\\", read_only=True), "VDS_E_DRIVE_LETTER_NOT_FREE", _st_surfaced),
    ("windows.dismount-with-folder", lambda c, s: _stack(c).unmount(c.fx.host, c.fx.mount_point), "VDS_E_DEVICE_IN_USE", None),
    ("windows.offline-in-use", lambda c, s: _stack(c).release(c.fx.host, _lay(c)), "VDS_E_DEVICE_IN_USE", _st_held),
]:  # fmt: skip
    add(_cid, f"{_cid.split('.', 1)[1].replace('-', ' ')}: refused with {_code}, twice, changing nothing",
        _win_refusal(_call, _code, _setup), ("import",) if "letter" in _cid else ())  # fmt: skip
