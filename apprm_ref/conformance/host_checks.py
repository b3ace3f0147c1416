"""Checks for host drivers (``HostDriver``, drivers/host.py: the host's storage stack,
mounts, freeze, scripts, files).

The host Protocol has 17 calls on one storage stack (``HostDriver.stack(host)``: LVM volume
groups or Windows basic disks), so this family has fewer than 120 checks: each call is
checked for its answer, its not-found refusal and the refusals that protect a mounted
filesystem, each twice and changing nothing, with the code the subject's stack answers
(``Subject.codes``: errno names of sim/host/backend.py, VDS/Win32 names of
sim/host/windows.py). A replica unit is surfaced on the backup system with
``import_group`` / ``mount_imported`` and let go of with ``unmount`` / ``export_group``.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.suite import SMALL_FAMILIES, Ctx, Skip, Subject, expect, register
from apprm_ref.drivers.host import StackLayout

F = "host"
SMALL_FAMILIES[F] = (
    "the host Protocol has 17 calls on one storage stack (LVM volume groups or Windows basic "
    "disks): each has its answer, not-found and protection checks, fewer than 120 in all"
)
NO_HOST = "conf-no-such-host"
PREFIX, SPEC, TAG = "/zdb", "conf", "conf"


def observe(s: Subject) -> Any:
    d, fx = s.driver, s.fixture
    seen = []
    for host in (fx.host, fx.backup):
        mounts = tuple(sorted(d.mounts(host), key=lambda m: m.mount_point))
        seen.append((tuple(d.rescan(host)), mounts))
    mine = any(m.mount_point == fx.mount_point for m in seen[0][1])
    return tuple(seen), tuple(d.list_files(fx.host, fx.mount_point)) if mine else ()


def inventory(s: Subject) -> Any:
    return observe(s)


def add(cid: str, doc: str, fn: Any, requires: tuple[str, ...] = ()) -> None:
    register(F, cid, doc, fn, requires=requires)


def _stack(ctx: Ctx, host: str | None = None) -> Any:
    return ctx.driver.stack(host or ctx.fx.host)


def _lay(ctx: Ctx) -> StackLayout:
    lays = _stack(ctx).resolve(ctx.fx.host, [ctx.fx.mount_point])
    return next(lay for lay in lays if lay.mount_point == ctx.fx.mount_point)


def _mount(ctx: Ctx, host: str | None = None, point: str | None = None) -> Any:
    host, point = host or ctx.fx.host, point or ctx.fx.mount_point
    return next(m for m in ctx.driver.mounts(host) if m.mount_point == point)


def _mounted(ctx: Ctx, host: str, point: str) -> bool:
    return any(m.mount_point == point for m in ctx.driver.mounts(host))


def _windows_only(ctx: Ctx) -> None:
    if ctx.fx.stack != "windows":
        raise Skip(f"the windows storage stack only (this subject's is {ctx.fx.stack})")


def _unmounted(ctx: Ctx) -> StackLayout:
    """Unmount the fixture filesystem (and what is mounted in it); remount at the end."""
    fx, lay = ctx.fx, _lay(ctx)
    st = _stack(ctx)
    if fx.nested:
        inner = next(x for x in st.resolve(fx.host, [fx.nested]) if x.mount_point == fx.nested)
        st.unmount(fx.host, fx.nested)
        ctx.track("remount nested", lambda: _remount(ctx, inner))
    st.unmount(fx.host, fx.mount_point)
    ctx.track("remount", lambda: _remount(ctx, lay))
    return lay


def _remount(ctx: Ctx, lay: StackLayout) -> None:
    if not _mounted(ctx, ctx.fx.host, lay.mount_point):
        _stack(ctx).remount(ctx.fx.host, lay)


def _released(ctx: Ctx) -> StackLayout:
    lay = _unmounted(ctx)
    st = _stack(ctx)
    st.release(ctx.fx.host, lay)
    ctx.track("reattach", lambda: st.reattach(ctx.fx.host, lay))
    return lay


def _imported(ctx: Ctx, *, read_only: bool = True, mount: bool = True) -> tuple[str, str]:
    """The replica's unit surfaced (and mounted) on the backup system; undone at the end."""
    fx, lay = ctx.fx, _lay(ctx)
    st = _stack(ctx, fx.backup)
    name = st.import_group(fx.backup, lay, fx.replica, TAG, read_only=read_only)
    ctx.track("export", lambda: st.export_group(fx.backup, name))
    point = st.replica_mount_point(fx.backup, PREFIX, SPEC, lay)
    if mount:
        st.mount_imported(fx.backup, name, lay, point, read_only=read_only)
        ctx.track("unmount replica", lambda: st.unmount(fx.backup, point))
    return name, point


# --- answers ---------------------------------------------------------------------------------


def _caps(ctx: Ctx) -> None:
    expect(ctx.driver.capabilities().kind == F, "kind is not host")


def _stack_name(ctx: Ctx) -> None:
    st = _stack(ctx)
    verbs = {"lvm": ("export", "activate"), "windows": ("offline", "online")}
    expect(st.name == ctx.fx.stack, f"stack {st.name}, configured {ctx.fx.stack}")
    expect((st.export_verb, st.reattach_verb) == verbs[st.name], f"verbs of {st.name}")


def _rescan(ctx: Ctx) -> None:
    devs = ctx.driver.rescan(ctx.fx.host)
    wwns = [d.wwn for d in devs]
    expect(ctx.fx.spare_device_wwn in wwns, f"spare device not found: {wwns}")
    expect(len(set(d.name for d in devs)) == len(devs), "two devices share a name")
    expect(ctx.driver.rescan(ctx.fx.host) == devs, "a second rescan differs")


def _mounts(ctx: Ctx) -> None:
    m = _mount(ctx)
    expect((m.read_only, m.frozen, m.busy) == (False, False, False), f"{m}")


def _mount_of(ctx: Ctx) -> None:
    expect(ctx.driver.mount_of(ctx.fx.host, ctx.fx.probe) == _mount(ctx), "mount_of")


def _volumes_under(ctx: Ctx) -> None:
    refs = ctx.driver.volumes_under(ctx.fx.host, ctx.fx.mount_point)
    wwns = {d.volume: d.wwn for d in ctx.driver.rescan(ctx.fx.host)}
    expect(len(refs) == 1 and refs[0] in wwns, f"volumes_under {refs}")
    expect(wwns[refs[0]] != ctx.fx.spare_device_wwn, "the spare device is under the mount")


def _resolve(ctx: Ctx) -> None:
    """The unit's identity (VG UUID, disk signature) is what finds a replica: stable."""
    lay, fx = _lay(ctx), ctx.fx
    expect(bool(lay.group_id) and _lay(ctx) == lay, f"resolve not stable: {lay}")
    under = ctx.driver.volumes_under(fx.host, fx.mount_point)
    expect(list(lay.volumes) == sorted(under), f"{lay.volumes} != volumes_under {under}")
    by_file = _stack(ctx).resolve(fx.host, [fx.probe])
    expect(lay in by_file, f"resolve of a file misses its filesystem: {by_file}")


def _replica_point(ctx: Ctx) -> None:
    fx = ctx.fx
    point = _stack(ctx, fx.backup).replica_mount_point(fx.backup, PREFIX, SPEC, _lay(ctx))
    expect(point == fx.replica_mount_point, f"replica mount point {point}")
    expect(not _mounted(ctx, fx.backup, point), f"{point} is in use on the backup system")


def _files(ctx: Ctx) -> None:
    fx = ctx.fx
    expect(fx.probe in ctx.driver.list_files(fx.host, fx.mount_point), "probe file not listed")
    expect(ctx.driver.read_file(fx.host, fx.probe)[:2] == ("p0", "p1"), "content")


def _script(ctx: Ctx) -> None:
    expect(ctx.driver.run_script(ctx.fx.host, "conf-ok") == (0, ("ok",)), "script result")


def _copy(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    d.copy_file(fx.host, fx.probe, fx.copy_dst)
    expect(d.read_file(fx.host, fx.copy_dst) == d.read_file(fx.host, fx.probe), "copy differs")
    d.copy_file(fx.host, fx.probe, fx.copy_dst)  # overwriting an existing copy is accepted
    expect(d.read_file(fx.host, fx.copy_dst) == d.read_file(fx.host, fx.probe), "second copy")


def _freeze(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    d.freeze(fx.host, fx.mount_point)
    ctx.track("thaw", lambda: d.thaw(fx.host, fx.mount_point))
    expect(_mount(ctx).frozen, "freeze not shown")
    ctx.refused(lambda: d.freeze(fx.host, fx.mount_point), "EBUSY")
    d.thaw(fx.host, fx.mount_point)
    expect(not _mount(ctx).frozen, "thaw not shown")


def _release_cycle(ctx: Ctx) -> None:
    """What an instant recovery does to the source: let go of it, take it back, remount."""
    fx, st = ctx.fx, _stack(ctx)
    files = ctx.driver.list_files(fx.host, fx.mount_point)
    lay = _released(ctx)
    expect(not _mounted(ctx, fx.host, fx.mount_point), "released unit still mounted")
    st.reattach(fx.host, lay)
    ctx.untrack("reattach")
    _remount(ctx, lay)
    expect(not _mount(ctx).read_only, "remounted read-only")
    expect(ctx.driver.list_files(fx.host, fx.mount_point) == files, "files changed")
    expect(_lay(ctx).group_id == lay.group_id, "release/reattach changed the unit's identity")


def _relative(files: list[str], point: str) -> list[str]:
    return sorted(f[len(point) :].lstrip("/\\") for f in files)


def _import_cycle(ctx: Ctx, read_only: bool) -> None:
    fx, d = ctx.fx, ctx.driver
    name, point = _imported(ctx, read_only=read_only)
    expect(_mount(ctx, fx.backup, point).read_only == read_only, f"read_only of {point}")
    got = d.list_files(fx.backup, point)
    src = d.list_files(fx.host, fx.mount_point)
    expect(_relative(got, point) == _relative(src, fx.mount_point), f"replica files {got}")
    expect(d.read_file(fx.backup, got[0]) is not None, "replica file unreadable")
    st = _stack(ctx, fx.backup)
    st.unmount(fx.backup, point)
    ctx.untrack("unmount replica")
    st.export_group(fx.backup, name)
    ctx.untrack("export")
    expect(not _mounted(ctx, fx.backup, point), "exported replica still mounted")


for _cid, _doc, _fn, _req in [
    ("identity.kind", "capabilities() names the host kind", _caps, ()),
    ("answer.stack", "stack() is the host's configured stack, with its verbs", _stack_name, ()),
    ("answer.rescan", "rescan finds the fixture devices, each once, the same twice", _rescan, ()),
    ("answer.mounts", "mounts shows the fixture filesystem read-write, not frozen or busy", _mounts, ()),
    ("answer.mount-of", "mount_of a file finds its filesystem", _mount_of, ()),
    ("answer.volumes-under", "volumes_under the mount is its one array volume", _volumes_under, ()),
    ("answer.resolve", "resolve names the unit by a stable group_id with all its volumes", _resolve, ()),
    ("answer.replica-mount-point", "replica_mount_point is the stack's free place on the backup system", _replica_point, ()),
    ("answer.files", "list_files and read_file show the fixture file", _files, ()),
    ("answer.script", "run_script returns exit code and output", _script, ()),
    ("answer.copy-file", "copy_file copies, and overwrites an existing copy", _copy, ()),
    ("freeze.cycle", "freeze shows frozen, a second freeze is EBUSY, thaw clears it", _freeze, ("freeze",)),
    ("stack.release-reattach", "unmount, release, reattach, remount: same files, same identity", _release_cycle, ()),
    ("stack.import-read-only", "import_group and mount_imported surface the replica read-only; unmount, export_group", lambda c: _import_cycle(c, True), ("import",)),
    ("stack.import-read-write", "the replica mounted read-write, then let go of", lambda c: _import_cycle(c, False), ("import",)),
]:  # fmt: skip
    add(_cid, _doc, _fn, _req)


from apprm_ref.conformance import host_refusals  # noqa: E402,F401  (registers the refusals)
