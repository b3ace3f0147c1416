"""Checks for SAP drivers (``SapDriver``, drivers/sap.py): BR*Tools run with the product's
backint and split command, judged by what BR*Tools answer (rc 0-6, SAP-1; BR messages; the
detail and summary logs, SAP-2/SAP-4/SAP-5).

The SAP Protocol has six calls (four tools, the profile, the logs), so this family has
fewer than 120 checks: each tool's success, its documented refusals and the split-command
contract of SAP-10 (exit 0 and only ``#INFO`` lines, else a failed split, BR0289E).
"""

from __future__ import annotations

import re
from typing import Any

from apprm_ref.conformance.suite import SMALL_FAMILIES, Ctx, Subject, expect, register
from apprm_ref.errors import ConfigError

F = "sap"
SMALL_FAMILIES[F] = (
    "the SAP Protocol has 6 calls (brbackup, brarchive, brrestore, brrecover, the profile, "
    "the logs): each tool's success, refusals and the split-command contract"
)
U = ("-u", "/", "-c", "force")
_LOG = re.compile(r"^b[a-z]{7}\.a[nf]f$")


def observe(s: Subject) -> Any:
    """The backint store: what a refused run must leave as it was."""
    return tuple(s.fixture.store.copies(s.driver.sid))


def inventory(s: Subject) -> Any:
    return observe(s)


def add(cid: str, doc: str, fn: Any) -> None:
    register(F, cid, doc, fn)


def _cleanup(ctx: Ctx) -> None:
    """Drop, when the check ends, the copies its runs add to the store."""
    store, sid = ctx.fx.store, ctx.driver.sid
    before = set(store.copies(sid))

    def drop() -> None:
        for c in store.copies(sid):
            if c not in before:
                store.drop(sid, c.bid, c.path)

    ctx.undo.append(("drop the check's backint copies", drop))


def _backup(ctx: Ctx, btype: str, split: Any = None) -> Any:
    _cleanup(ctx)
    return ctx.driver.brbackup(
        [*U, "-t", btype, "-d", "util_file"], store=ctx.fx.store, split=split
    )


def _profile(ctx: Ctx) -> None:
    prof = ctx.driver.profile()
    expect(prof.get("backup_dev_type", "").startswith("util_file"), f"profile {prof}")


def _online(ctx: Ctx) -> None:
    res = _backup(ctx, "online")
    expect(res.rc == 0, f"brbackup -t online rc {res.rc}")
    expect(bool(res.detail_log and _LOG.match(res.detail_log)), f"detail log {res.detail_log}")
    expect("BR0052I BRBACKUP completed successfully" in res.messages, "no BR0052I")


def _pairs(ctx: Ctx) -> None:
    res = _backup(ctx, "online")
    detail = ctx.driver.read_log(res.detail_log)
    files = [ln.split(None, 1)[1] for ln in detail.splitlines() if ln.startswith("#FILE..... ")]
    bids = [ln for ln in detail.splitlines() if ln.startswith("#SAVED.... ")]
    expect(files and len(files) == len(bids), "detail log lacks #FILE/#SAVED pairs (SAP-5)")


def _summary(ctx: Ctx) -> None:
    res = _backup(ctx, "online")
    last = ctx.driver.read_log(f"back{ctx.driver.sid}.log").splitlines()[-1].split()
    expect(last[:2] == res.detail_log.split("."), f"summary line {last} for {res.detail_log}")


def _split_called(ctx: Ctx) -> None:
    seen: list[list[str]] = []
    res = _backup(ctx, "online_split", lambda files: (seen.append(list(files)), (0, ""))[1])
    expect(res.rc == 0 and len(seen) == 1 and seen[0], f"rc {res.rc}, split calls {seen}")


def _split_info_only(ctx: Ctx) -> None:
    res = _backup(ctx, "online_split", lambda files: (0, "#INFO split at one instant\n"))
    expect(res.rc == 0, f"#INFO output is a successful split (SAP-10), rc {res.rc}")


def _split_fails(ctx: Ctx) -> None:
    res = _backup(ctx, "online_split", lambda files: (1, "array refused\n"))
    expect(res.rc == 5 and any(m.startswith("BR0289E") for m in res.messages), f"rc {res.rc}")


def _split_chatter(ctx: Ctx) -> None:
    res = _backup(ctx, "online_split", lambda files: (0, "split done\n"))
    expect(res.rc == 5, f"output other than #INFO is a failed split (S-9), rc {res.rc}")


def _unknown_option(ctx: Ctx) -> None:
    res = ctx.driver.brbackup([*U, "-zz"], store=ctx.fx.store)
    expect(res.rc == 3, f"an unknown option is an initialisation error (rc 3), rc {res.rc}")


def _archive(ctx: Ctx) -> None:
    _cleanup(ctx)
    res = ctx.driver.brarchive([*U, "-s", "-d", "util_file"], store=ctx.fx.store)
    expect(res.rc in (0, 1), f"brarchive -s rc {res.rc}")
    expect(bool(res.detail_log and res.detail_log.endswith(".sve")), f"log {res.detail_log}")


def _recover_refused(ctx: Ctx) -> None:
    res = ctx.driver.brrecover([*U, "-t", "tspit"], store=ctx.fx.store)
    expect(res.rc == 3, f"brrecover -t tspit is refused with rc 3, rc {res.rc}")


def _restore_twice(ctx: Ctx) -> None:
    res = ctx.driver.brrestore([*U, "-a", "1", "-b", "last"], store=ctx.fx.store)
    expect(res.rc == 3, f"only one of -a, -b, -b2, -n (SAP-14), rc {res.rc}")


def _missing_log(ctx: Ctx) -> None:
    try:
        ctx.driver.read_log("bzzzzzzz.anf")
    except ConfigError:
        return
    raise AssertionError("a log BR*Tools never wrote was read")


for cid, doc, fn in (
    ("profile.read", "init<SID>.sap is read", _profile),
    ("brbackup.online", "an online backup through backint ends rc 0 with BR0052I", _online),
    ("brbackup.detail_pairs", "the detail log has #FILE/#SAVED pairs (SAP-5)", _pairs),
    ("brbackup.summary", "back<SID>.log ends with the run's line", _summary),
    ("split.called_once", "online_split calls the split command once", _split_called),
    ("split.info_only", "#INFO lines from the split command are success", _split_info_only),
    ("split.fails", "a failing split command is BR0289E, rc 5", _split_fails),
    ("split.chatter", "other output from the split command fails the split", _split_chatter),
    ("brbackup.unknown_option", "an unknown option is rc 3", _unknown_option),
    ("brarchive.save", "brarchive -s saves through backint (.sve)", _archive),
    ("brrecover.refused_type", "a type BRRECOVER lacks is rc 3", _recover_refused),
    ("brrestore.one_function", "-a with -b is refused (SAP-14)", _restore_twice),
    ("logs.missing", "a log never written is not found", _missing_log),
):
    add(cid, doc, fn)
