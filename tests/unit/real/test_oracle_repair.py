"""The DBA's END BACKUP repair through either Oracle driver (in-process simulator door and
the real DB-API driver over the simulator's SQL door): same observations, no data lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_real_oracle_dbapi import real_driver

from apprm_ref.core.integrations.oracle_repair import end_backup_mode, files_in_backup_mode
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.driver import OracleSimDriver
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.models import fold

DRIVERS: dict[str, Callable[[Estate], Any]] = {
    "sim": lambda e: OracleSimDriver(e.world, "PRD"),
    "dbapi": real_driver,
}


@pytest.mark.rule("OS-P10")
@pytest.mark.rule("OPS-I2")
@pytest.mark.parametrize("door", sorted(DRIVERS))
def test_crash_in_backup_mode_then_end_backup_and_open_loses_nothing(door: str) -> None:
    e = build_estate(3)
    drv = DRIVERS[door](e)
    e.db.workload(10)
    drv.begin_backup(None)
    e.db.workload(10)
    expected = fold(e.db.history.commits, None)
    drv.shutdown("ABORT")
    with pytest.raises(OracleError) as refused:
        drv.startup("OPEN")
    assert refused.value.code == "ORA-10873" and drv.instance_status() == "MOUNTED"
    assert files_in_backup_mode(drv) == [d.path for d in e.db.layout.datafiles]
    done = end_backup_mode(drv)
    assert (done.was, done.opened, done.status) == ("MOUNTED", True, "OPEN")
    assert done.ended == tuple(d.path for d in e.db.layout.datafiles)
    assert files_in_backup_mode(drv) == [] and e.db.data() == expected
    again = end_backup_mode(drv)  # nothing left to do: no statement, no ORA-01260
    assert (again.ended, again.opened, again.status) == ((), False, "OPEN")
