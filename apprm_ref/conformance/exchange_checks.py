"""Checks for Exchange drivers (``ExchangeDriver``, drivers/exchange.py): the storage groups
and their copies, the mount state, the LCR/CCR copy management, ``eseutil`` and the recovery
storage group; a refusal carries the JET error name, is repeated and changes nothing.

The Exchange Protocol has thirteen calls beside the VSS writers (which the ``vss`` family
checks), so this family is small; the subject sets aside a storage group with a copy, its
database and a recovery storage group.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.suite import SMALL_FAMILIES, Ctx, Subject, expect, register
from apprm_ref.drivers.exchange import STATE

F = "exchange"
SMALL_FAMILIES[F] = (
    "the Exchange Protocol has 13 calls (storage groups, mount state, copy management, "
    "eseutil, the recovery group): each call's result and its JET refusals"
)
NOT_FOUND, INVALID, IN_USE = (
    "JET_errFileNotFound",
    "JET_errInvalidParameter",
    "JET_errFileAccessDenied",
)


def observe(s: Subject) -> Any:
    """The storage groups as the driver reports them (copies, mount state, suspension)."""
    return tuple(s.driver.storage_groups())


def inventory(s: Subject) -> Any:
    return observe(s)


def _sg(ctx: Ctx, name: str | None = None) -> Any:
    want = name or ctx.fx.sg
    found = [g for g in ctx.driver.storage_groups() if g.name == want]
    expect(len(found) == 1, f"storage group {want} listed {len(found)}x")
    return found[0]


def _listed(ctx: Ctx) -> None:
    sg = _sg(ctx)
    expect(ctx.fx.db in sg.databases and sg.prefix.startswith("E"), f"storage group {sg}")
    expect(bool(dict(sg.active.files).get(ctx.fx.db)), f"no files of {ctx.fx.db} in {sg.active}")


def _identity(ctx: Ctx) -> None:
    expect(ctx.driver.version() in (2003, 2007), f"version {ctx.driver.version()}")
    expect(bool(ctx.driver.server_name()), "no server name")


def _copy(ctx: Ctx) -> None:
    sg = _sg(ctx)
    expect(sg.replication in ("lcr", "ccr") and sg.passive is not None, f"copy of {sg}")
    expect(dict(sg.passive.files).keys() == dict(sg.active.files).keys(), "copies differ")


def _rsg(ctx: Ctx) -> None:
    expect(_sg(ctx, ctx.fx.rsg).recovery, f"{ctx.fx.rsg} is not a recovery storage group")


def _mounted(ctx: Ctx) -> None:
    expect(ctx.fx.db in _sg(ctx).mounted, f"{ctx.fx.db} is not mounted on an idle server")


def _remount(ctx: Ctx) -> None:
    ctx.track("mount the database", lambda: ctx.driver.mount(ctx.fx.sg, ctx.fx.db))
    ctx.driver.dismount(ctx.fx.sg, ctx.fx.db)
    expect(ctx.fx.db not in _sg(ctx).mounted, "still mounted after Dismount-Database")
    ctx.driver.dismount(ctx.fx.sg, ctx.fx.db)  # a dismounted database: no error
    ctx.driver.mount(ctx.fx.sg, ctx.fx.db)
    expect(ctx.fx.db in _sg(ctx).mounted, "not mounted after Mount-Database")


def _eseutil_clean(ctx: Ctx) -> None:
    ctx.track("mount the database", lambda: ctx.driver.mount(ctx.fx.sg, ctx.fx.db))
    ctx.driver.dismount(ctx.fx.sg, ctx.fx.db)
    sg = _sg(ctx)
    edb = dict(sg.active.files)[ctx.fx.db][0]
    run = ctx.driver.eseutil(sg.active.host, ["/mh", edb])
    states = [m[1] for ln in run.lines if (m := STATE.match(ln))]
    expect(run.rc == 0 and states == ["Clean Shutdown"], f"eseutil /mh rc {run.rc} {states}")


def _eseutil_missing(ctx: Ctx) -> None:
    run = ctx.driver.eseutil(_sg(ctx).active.host, ["/mh", "E:\\nowhere\\none.edb"])
    expect(run.rc == -1811, f"eseutil /mh of a missing file rc {run.rc} (-1811)")


def _eseutil_bad(ctx: Ctx) -> None:
    run = ctx.driver.eseutil(_sg(ctx).active.host, ["/zz"])
    expect(run.rc == -1003, f"an unknown eseutil mode rc {run.rc} (-1003)")


def _suspend(ctx: Ctx) -> None:
    ctx.track("resume the copy", lambda: ctx.driver.resume_copy(ctx.fx.sg))
    ctx.driver.suspend_copy(ctx.fx.sg)
    expect(_sg(ctx).suspended, "the copy is not suspended")
    ctx.driver.resume_copy(ctx.fx.sg)
    expect(not _sg(ctx).suspended, "the copy is still suspended")


def _reseed_running(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.reseed(ctx.fx.sg), INVALID)


def _reseed(ctx: Ctx) -> None:
    ctx.track("resume the copy", lambda: ctx.driver.resume_copy(ctx.fx.sg))
    ctx.driver.suspend_copy(ctx.fx.sg)
    ctx.driver.reseed(ctx.fx.sg)
    ctx.driver.resume_copy(ctx.fx.sg)
    expect(not _sg(ctx).suspended and ctx.fx.db in _sg(ctx).mounted, "after the reseed")


def _move_mounted(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.move_server(ctx.fx.sg), IN_USE)


def _no_copy(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.suspend_copy(ctx.fx.rsg), INVALID)


def _unknown_sg(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.mount("No Such Group", ctx.fx.db), NOT_FOUND)


def _unknown_db(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.mount(ctx.fx.sg, "No Such Database"), NOT_FOUND)


def _rsg_not_recovery(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.add_to_recovery_group(ctx.fx.sg, ctx.fx.sg, ctx.fx.db), INVALID)


for cid, doc, fn in (
    ("groups.listed", "the storage group lists its database and its files", _listed),
    ("server.identity", "the server has a name and a version (2003 or 2007)", _identity),
    ("groups.copy", "an LCR/CCR group has a passive copy of the same databases", _copy),
    ("groups.recovery", "the recovery storage group is flagged", _rsg),
    ("mount.idle", "an idle server's database is mounted", _mounted),
    ("mount.round_trip", "Dismount-/Mount-Database show in the mount state", _remount),
    ("eseutil.clean_header", "eseutil /mh of a dismounted database: Clean Shutdown", _eseutil_clean),
    ("eseutil.missing_file", "eseutil /mh of a missing file is -1811", _eseutil_missing),
    ("eseutil.bad_mode", "an unknown eseutil mode is -1003", _eseutil_bad),
    ("copy.suspend_resume", "Suspend-/Resume-StorageGroupCopy show in the group", _suspend),
    ("copy.reseed_running", "reseeding a running copy is refused", _reseed_running),
    ("copy.reseed", "a suspended copy is reseeded and resumes", _reseed),
    ("copy.move_mounted", "moving with mounted databases is refused", _move_mounted),
    ("copy.none", "copy management of a group without a copy is refused", _no_copy),
    ("refuse.unknown_group", "a storage group the server lacks is refused", _unknown_sg),
    ("refuse.unknown_database", "a database the group lacks is refused", _unknown_db),
    ("rsg.not_recovery", "linking to a group that is not a recovery group is refused", _rsg_not_recovery),
):  # fmt: skip
    register(F, cid, doc, fn)
