"""The SQL Server simulator: WAL, checkpoints, crash recovery (redo committed, undo the
rest), I/O freeze, a full log (9002) and the server's own error numbers."""

from __future__ import annotations

import pytest

from apprm_ref.errors import ApprmError
from apprm_ref.sim.sqlserver import formats as F
from apprm_ref.sim.sqlserver.errors import IoFrozenError, SqlServerError
from apprm_ref.sim.sqlserver.instance import fold
from tests.sim.sqlserver.estate import sql_world


def crash_and_boot(world, inst) -> None:  # type: ignore[no-untyped-def]
    world.hosts.crash(inst.host)
    assert not inst.alive()
    world.hosts.boot(inst.host)
    assert inst.alive()


def test_committed_rows_survive_a_crash_and_uncommitted_ones_are_rolled_back() -> None:
    world, inst = sql_world()
    db = inst.databases["sales"]
    for i in range(5):
        inst.transact("sales", [("t", f"k{i}", f"v{i}")])
    loser = db.begin()
    db.write(inst.io, loser, "t", "k0", "uncommitted")
    db.write(inst.io, loser, "t", "new", "uncommitted")
    db.checkpoint(inst.io)  # the loser's changes reach the data pages (steal)
    page = F.page_of("t", "new", db.pages)
    assert ("t", "new") in F.page_rows(world.hosts.read_block("win1", db.data_path, page))[1]
    inst.transact("sales", [("t", "k9", "after")])
    crash_and_boot(world, inst)
    assert inst.database_data("sales") == fold(inst.commits, "sales", until=world.now())
    assert "1 transactions rolled back in database 'sales' (5)." in " ".join(
        t for _, t in inst.errorlog
    )


def test_a_commit_not_flushed_is_lost_and_a_flushed_one_is_redone() -> None:
    world, inst = sql_world()
    inst.transact("stock", [("t", "a", "1")])
    db = inst.databases["stock"]
    txn = db.begin()
    db.write(inst.io, txn, "t", "b", "2")  # only in the log buffer
    crash_and_boot(world, inst)
    assert inst.database_data("stock") == {"t": {"a": "1"}}


def test_recovery_reads_only_the_files_so_a_restored_image_comes_back_exactly() -> None:
    """Snapshot the volumes mid-workload, go on committing, put the snapshot's content back:
    recovery gives exactly the commits acknowledged before the snapshot."""
    world, inst = sql_world()
    inst.apply_workload(20)
    inst.apply_workload(20)  # flushes the long transactions of the first epoch
    at = world.now()
    eva = world.arrays["eva1"]
    vols = {v.name: v for v in eva.vdisks.values() if v.name in ("sqldata", "sqllog")}
    saved = {n: v.data.point_in_time_copy() for n, v in vols.items()}
    world.advance(60)
    inst.apply_workload(20)
    inst.stop()
    for n, v in vols.items():
        v.data.replace_content(saved[n])
    inst.start()
    assert inst.database_data("sales") == fold(inst.commits, "sales", until=at)
    assert inst.database_data("stock") == fold(inst.commits, "stock", until=at)
    assert inst.database_data("hr") == fold(inst.commits, "hr", until=world.now())


def test_frozen_io_refuses_writes_and_the_thaw_lets_them_through() -> None:
    world, inst = sql_world()
    inst.freeze("sales")
    assert inst.in_backup_mode()
    with pytest.raises(IoFrozenError):
        inst.transact("sales", [("t", "k", "v")])
    inst.transact("stock", [("t", "k", "v")])  # other databases go on
    inst.thaw("sales")
    inst.transact("sales", [("t", "k", "v")])
    lines = [t for _, t in inst.errorlog]
    assert any(t.startswith("I/O is frozen on database sales.") for t in lines)
    assert "I/O was resumed on database sales. No user action is required." in lines


def test_an_active_transaction_fills_the_log_with_error_9002() -> None:
    world, inst = sql_world()
    db = inst.databases["hr"]
    holder = db.begin()
    db.write(inst.io, holder, "t", "held", "x")
    with pytest.raises(SqlServerError) as exc:
        for i in range(100):
            inst.transact("hr", [("t", f"k{i}", str(i))])
    assert exc.value.code == "MSSQL-9002"
    assert "is full due to 'ACTIVE_TRANSACTION'" in exc.value.message
    assert list(db.open_txns) == [holder]  # the failed one was rolled back in the reserve
    db.commit(inst.io, holder)
    inst.transact("hr", [("t", "after", "ok")])  # the checkpoint truncates the log again
    expected = fold(inst.commits, "hr", until=world.now())
    expected["t"]["held"] = "x"  # committed directly, not through transact()
    assert inst.database_data("hr") == expected


def test_server_errors_carry_their_numbers() -> None:
    world, inst = sql_world()
    with pytest.raises(SqlServerError, match="Msg 911") as e1:
        inst.database("nosuch")
    assert e1.value.code == "MSSQL-911"
    inst.set_offline("stock")
    with pytest.raises(SqlServerError) as e2:
        inst.transact("stock", [("t", "k", "v")])
    assert e2.value.code == "MSSQL-942"
    with pytest.raises(SqlServerError) as e3:
        inst.create_database("sales", "E:\\x.mdf", "F:\\x.ldf", data_blocks=4, log_blocks=4)
    assert e3.value.code == "MSSQL-1801"
    inst.set_online("stock")
    assert inst.database_data("stock") == {}


def test_a_row_locked_by_an_open_transaction_times_out_with_1222() -> None:
    world, inst = sql_world()
    db = inst.databases["sales"]
    txn = db.begin()
    db.write(inst.io, txn, "t", "k", "1")
    with pytest.raises(ApprmError) as exc:
        inst.transact("sales", [("t", "k", "2")])
    assert exc.value.code == "MSSQL-1222"
    assert db.locks.get(("t", "k")) == txn  # the failed one released nothing it did not hold


def test_an_open_database_holds_its_volumes_and_a_closed_one_does_not() -> None:
    world, inst = sql_world()
    mounts = world.hosts.host("win1").mounts
    assert mounts["G:\\"].holders == 2  # hr: its data and log file are open
    inst.set_offline("hr")
    assert mounts["G:\\"].holders == 0
    world.hosts.windows.dismount("win1", "G:")  # now possible
    with pytest.raises(ApprmError):
        inst.set_online("hr")
