"""The simulator driver's one-pass ``file_layout`` is what ``layout_of`` derives from the
view queries (the DB-API driver's path), in every instance state, errors included."""

from __future__ import annotations

import pytest

from apprm_ref.drivers.oracle import layout_of
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.driver import OracleSimDriver
from apprm_ref.sim.oracle.estate import build_estate
from apprm_ref.sim.oracle.models import simple_layout


def outcome(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except OracleError as exc:
        return ("error", exc.code, str(exc))


def test_file_layout_is_layout_of_in_every_state() -> None:
    layout = simple_layout(tablespaces=("SYSTEM", "USERS", "APP"), files_per_ts=2)
    e = build_estate(5, layout)
    drv = OracleSimDriver(e.world, "PRD")
    seen = []
    for step in ("open", "mount", "nomount", "down", "open-again", "crash"):
        if step == "mount":
            e.db.shutdown("IMMEDIATE")
            e.db.startup("MOUNT")
        elif step == "nomount":
            e.db.shutdown("IMMEDIATE")
            e.db.startup("NOMOUNT")
        elif step == "down":
            e.db.shutdown("ABORT")
        elif step == "open-again":
            e.db.startup()
            e.db.archive_log_current()
        elif step == "crash":
            e.world.hosts.host("db1").crashed = True
        got, want = outcome(drv.file_layout), outcome(lambda: layout_of(drv))
        assert got == want, step
        seen.append(type(got).__name__)
    assert seen.count("FileLayout") == 3 and seen.count("tuple") == 3
    assert len(layout_of(OracleSimDriver(build_estate(5, layout).world, "PRD")).datafiles) == 6


@pytest.mark.parametrize("spfile", ["", "/oractl/spfilePRD.ora"])
def test_file_layout_spfile_and_archive_dest_as_v_parameter_gives_them(spfile: str) -> None:
    e = build_estate(6)
    e.db.params["spfile"] = spfile
    e.db.params["log_archive_dest_1"] = "/oraarch/PRD"  # no LOCATION= prefix
    drv = OracleSimDriver(e.world, "PRD")
    assert drv.file_layout() == layout_of(drv)
