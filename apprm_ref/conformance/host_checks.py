"""Checks for host drivers (``HostDriver``, drivers/host.py: LVM volume groups, mounts,
freeze, scripts, files).

The host Protocol has seventeen calls on one storage stack, so this family has fewer than
120 checks: each call is checked for its answer, its not-found refusal (errno names the
simulator's host raises, sim/host/backend.py) and the refusals that protect a mounted
filesystem, each twice and changing nothing.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.suite import SMALL_FAMILIES, Ctx, Subject, expect, register

F = "host"
SMALL_FAMILIES[F] = (
    "the host Protocol has 17 calls on one storage stack (LVM): each has its answer, "
    "not-found and protection checks, fewer than 120 in all"
)
NO_HOST = "conf-no-such-host"


def observe(s: Subject) -> Any:
    d, fx = s.driver, s.fixture
    mounts = tuple(sorted(d.mounts(fx.host), key=lambda m: m.mount_point))
    files = (
        tuple(d.list_files(fx.host, fx.mount_point))
        if any(m.mount_point == fx.mount_point for m in mounts)
        else ()
    )
    return tuple(d.rescan(fx.host)), mounts, files


def inventory(s: Subject) -> Any:
    return observe(s)


def add(cid: str, doc: str, fn: Any, requires: tuple[str, ...] = ()) -> None:
    register(F, cid, doc, fn, requires=requires)


def _mount(ctx: Ctx) -> Any:
    fx = ctx.fx
    return next(m for m in ctx.driver.mounts(fx.host) if m.mount_point == fx.mount_point)


def _unmounted(ctx: Ctx) -> None:
    """Unmount the fixture filesystem; remount it at the end."""
    fx, d = ctx.fx, ctx.driver
    d.unmount(fx.host, fx.mount_point)
    ctx.track("remount", lambda: _remount(ctx))


def _remount(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    if not any(m.mount_point == fx.mount_point for m in d.mounts(fx.host)):
        d.activate_vg(fx.host, fx.vg)
        d.mount(fx.host, fx.vg, fx.lv, fx.mount_point)


def _inactive(ctx: Ctx) -> None:
    _unmounted(ctx)
    ctx.driver.deactivate_vg(ctx.fx.host, ctx.fx.vg)


# --- answers ---------------------------------------------------------------------------------


def _caps(ctx: Ctx) -> None:
    expect(ctx.driver.capabilities().kind == F, "kind is not host")


def _rescan(ctx: Ctx) -> None:
    devs = ctx.driver.rescan(ctx.fx.host)
    wwns = [d.wwn for d in devs]
    expect(ctx.fx.spare_device_wwn in wwns, f"spare device not found: {wwns}")
    expect(len(set(d.name for d in devs)) == len(devs), "two devices share a name")
    expect(ctx.driver.rescan(ctx.fx.host) == devs, "a second rescan differs")


def _mounts(ctx: Ctx) -> None:
    m = _mount(ctx)
    expect((m.vg, m.lv, m.read_only, m.frozen) == (ctx.fx.vg, ctx.fx.lv, False, False), f"{m}")


def _mount_of(ctx: Ctx) -> None:
    expect(
        ctx.driver.mount_of(ctx.fx.host, ctx.fx.mount_point + "/probe.dat") == _mount(ctx),
        "mount_of",
    )


def _volumes_under(ctx: Ctx) -> None:
    refs = ctx.driver.volumes_under(ctx.fx.host, ctx.fx.mount_point)
    wwns = {d.volume: d.wwn for d in ctx.driver.rescan(ctx.fx.host)}
    expect(len(refs) == 1 and refs[0] in wwns, f"volumes_under {refs}")
    expect(wwns[refs[0]] != ctx.fx.spare_device_wwn, "the spare device is under the mount")


def _uuid(ctx: Ctx) -> None:
    a = ctx.driver.vg_uuid(ctx.fx.host, ctx.fx.vg)
    expect(bool(a) and ctx.driver.vg_uuid(ctx.fx.host, ctx.fx.vg) == a, "vg_uuid not stable")


def _files(ctx: Ctx) -> None:
    fx = ctx.fx
    expect(
        any(f.endswith("probe.dat") for f in ctx.driver.list_files(fx.host, fx.mount_point)),
        "probe.dat",
    )
    expect(
        ctx.driver.read_file(fx.host, fx.mount_point + "/probe.dat")[:2] == ("p0", "p1"), "content"
    )


def _script(ctx: Ctx) -> None:
    expect(ctx.driver.run_script(ctx.fx.host, "conf-ok") == (0, ("ok",)), "script result")


def _copy(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    src, dst = fx.mount_point + "/probe.dat", fx.mount_point + "/probe.copy"
    d.copy_file(fx.host, src, dst)
    expect(d.read_file(fx.host, dst) == d.read_file(fx.host, src), "copy differs")
    d.copy_file(fx.host, src, dst)  # overwriting an existing copy is accepted
    expect(d.read_file(fx.host, dst) == d.read_file(fx.host, src), "second copy differs")


def _freeze(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    d.freeze(fx.host, fx.mount_point)
    ctx.track("thaw", lambda: d.thaw(fx.host, fx.mount_point))
    expect(_mount(ctx).frozen, "freeze not shown")
    ctx.refused(lambda: d.freeze(fx.host, fx.mount_point), "EBUSY")
    d.thaw(fx.host, fx.mount_point)
    expect(not _mount(ctx).frozen, "thaw not shown")


def _remount_cycle(ctx: Ctx) -> None:
    _inactive(ctx)
    fx, d = ctx.fx, ctx.driver
    d.activate_vg(fx.host, fx.vg)
    d.mount(fx.host, fx.vg, fx.lv, fx.mount_point, read_only=True)
    ctx.track("read-only mount", lambda: d.unmount(fx.host, fx.mount_point))
    expect(_mount(ctx).read_only, "read-only mount not shown")


def _export_import(ctx: Ctx) -> None:
    fx, d = ctx.fx, ctx.driver
    uuid = d.vg_uuid(fx.host, fx.vg)
    _unmounted(ctx)
    d.export_vg(fx.host, fx.vg)
    ctx.track("re-import", lambda: d.import_vg(fx.host, uuid, fx.vg))
    ctx.refused(lambda: d.vg_uuid(fx.host, fx.vg), "ENOENT")
    d.import_vg(fx.host, uuid, fx.vg)
    ctx.untrack("re-import")
    expect(d.vg_uuid(fx.host, fx.vg) == uuid, "import changed the VG's UUID")


for _cid, _doc, _fn, _req in [
    ("identity.kind", "capabilities() names the host kind", _caps, ()),
    ("answer.rescan", "rescan finds the fixture devices, each once, the same twice", _rescan, ()),
    ("answer.mounts", "mounts shows the fixture filesystem read-write and not frozen", _mounts, ()),
    ("answer.mount-of", "mount_of a file finds its filesystem", _mount_of, ()),
    ("answer.volumes-under", "volumes_under the mount is its one array volume", _volumes_under, ("lvm",)),
    ("answer.vg-uuid", "vg_uuid is stable", _uuid, ("lvm",)),
    ("answer.files", "list_files and read_file show the fixture file", _files, ()),
    ("answer.script", "run_script returns exit code and output", _script, ()),
    ("answer.copy-file", "copy_file copies, and overwrites an existing copy", _copy, ()),
    ("freeze.cycle", "freeze shows frozen, a second freeze is EBUSY, thaw clears it", _freeze, ("freeze",)),
    ("lvm.remount-read-only", "unmount, deactivate, activate, mount read-only", _remount_cycle, ("lvm",)),
    ("lvm.export-import", "export then import by UUID brings the same VG back", _export_import, ("import",)),
]:  # fmt: skip
    add(_cid, _doc, _fn, _req)


# --- not-found and protection refusals -------------------------------------------------------

_H = "{h}"
REFUSALS: dict[str, tuple[Any, str | None, Any, tuple[str, ...]]] = {
    # id: (call(driver, fixture), code, setup, capabilities)
    "not-found.host.rescan": (lambda d, f: d.rescan(NO_HOST), None, None, ()),
    "not-found.host.mounts": (lambda d, f: d.mounts(NO_HOST), None, None, ()),
    "not-found.host.run-script": (lambda d, f: d.run_script(NO_HOST, "conf-ok"), None, None, ()),
    "not-found.path.mount-of": (lambda d, f: d.mount_of(f.host, "/conf-nowhere/x"), "ENOENT", None, ()),
    "not-found.path.volumes-under": (lambda d, f: d.volumes_under(f.host, "/conf-nowhere"), "ENOENT", None, ("lvm",)),
    "not-found.path.read-file": (lambda d, f: d.read_file(f.host, f.mount_point + "/nothing"), "ENOENT", None, ()),
    "not-found.path.list-files": (lambda d, f: d.list_files(f.host, "/conf-nowhere"), "ENOENT", None, ()),
    "not-found.path.copy-file": (lambda d, f: d.copy_file(f.host, f.mount_point + "/nothing", f.mount_point + "/x"), "ENOENT", None, ()),
    "not-found.vg.uuid": (lambda d, f: d.vg_uuid(f.host, "conf_no_vg"), "ENOENT", None, ("lvm",)),
    "not-found.vg.activate": (lambda d, f: d.activate_vg(f.host, "conf_no_vg"), "ENOENT", None, ("lvm",)),
    "not-found.vg.deactivate": (lambda d, f: d.deactivate_vg(f.host, "conf_no_vg"), "ENOENT", None, ("lvm",)),
    "not-found.vg.export": (lambda d, f: d.export_vg(f.host, "conf_no_vg"), "ENOENT", None, ("lvm",)),
    "not-found.vg.import": (lambda d, f: d.import_vg(f.host, "conf-no-uuid", "conf_vg2"), "ENXIO", None, ("import",)),
    "not-found.lv.mount": (lambda d, f: d.mount(f.host, f.vg, "conf_no_lv", "/conf2"), "ENOENT", None, ("lvm",)),
    "not-found.script": (lambda d, f: d.run_script(f.host, "conf-no-script"), "ENOENT", None, ()),
    "not-mounted.unmount": (lambda d, f: d.unmount(f.host, "/conf-nowhere"), "EINVAL", None, ()),
    "not-mounted.freeze": (lambda d, f: d.freeze(f.host, "/conf-nowhere"), "ENOENT", None, ("freeze",)),
    "not-mounted.thaw": (lambda d, f: d.thaw(f.host, "/conf-nowhere"), "ENOENT", None, ("freeze",)),
    "busy.mount-twice": (lambda d, f: d.mount(f.host, f.vg, f.lv, f.mount_point), "EBUSY", None, ("lvm",)),
    "busy.deactivate-mounted": (lambda d, f: d.deactivate_vg(f.host, f.vg), "EBUSY", None, ("lvm",)),
    "busy.import-existing-name": (lambda d, f: d.import_vg(f.host, d.vg_uuid(f.host, f.vg), f.vg), "EEXIST", None, ("import",)),
    "inactive.mount": (lambda d, f: d.mount(f.host, f.vg, f.lv, f.mount_point), "ENXIO", _inactive, ("lvm",)),
    "unmounted.list-files": (lambda d, f: d.list_files(f.host, f.mount_point), "ENOENT", _unmounted, ()),
    "unmounted.unmount-again": (lambda d, f: d.unmount(f.host, f.mount_point), "EINVAL", _unmounted, ()),
}  # fmt: skip


def _refusal(call: Any, code: str | None, setup: Any) -> Any:
    def run(ctx: Ctx) -> None:
        if setup is not None:
            setup(ctx)
        ctx.refused(lambda: call(ctx.driver, ctx.fx), code)

    return run


for _cid, (_call, _code, _setup, _req) in REFUSALS.items():
    _what = f"{_code}" if _code else "a not-found error"
    add(_cid, f"{_cid.split('.', 1)[1].replace('.', ' ')}: refused with {_what}, twice, changing nothing",
        _refusal(_call, _code, _setup), _req)  # fmt: skip
