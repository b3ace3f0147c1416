"""The Exchange store over its files: log naming, write-ahead logging, checkpoint, crash
recovery by log replay, clean dismount, and the refusals of a broken log stream."""

from __future__ import annotations

import pytest

from apprm_ref.errors import ConfigError
from apprm_ref.sim.estate import Estate, build_world
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.labs import busy, estate, power_cycle, world
from apprm_ref.sim.exchange.models import ExchangeError

SG, DB = "First Storage Group", "Mailbox Database"
EDB = "E:\\SG1\\Mailbox Database.edb"


def _logs(world, host="ex1", root="L:\\"):
    return [p.rsplit("\\", 1)[-1] for p in world.hosts.list_files(host, root)]


def test_2003_names_generations_with_5_hex_digits_and_keeps_an_stm():
    w = world(2003)
    srv = w.app("EXCH")
    for _ in range(4):
        srv.apply_workload(5)
    logs = _logs(w)
    assert "E00.log" in logs and "E00.chk" in logs
    assert "E0000001.log" in logs and "E0000002.log" in logs
    assert w.hosts.file_exists("ex1", "E:\\SG1\\Mailbox Store.stm")
    rows = srv.data()[f"{SG}/Mailbox Store"]
    assert ("user0", "1-1", "welcome 0", "Mailbox Store:0") in rows  # body kept in the .stm


def test_2007_names_generations_with_8_hex_digits():
    w = world(2007)
    srv = w.app("EXCH")
    for _ in range(8):
        srv.apply_workload(4)
    names = [n for n in _logs(w) if n not in ("E00.log", "E00.chk")]
    assert names and all(len(n) == len("E0000000001.log") for n in names)
    assert F.parse_log_name("E00", names[-1], 2007) == len(names)
    assert names[0] == F.log_name("E00", 1, 2007) == "E0000000001.log"


def test_a_running_database_header_is_dirty_and_requires_checkpoint_to_current():
    w = world(2007)
    srv = w.app("EXCH")
    for _ in range(6):
        srv.apply_workload(4)
    files = srv.files("ex1")
    hdr = files.header(EDB)
    current = files.log("L:\\SG1\\E00.log")[0]
    chk = files.checkpoint(srv.sg(SG), srv.sg(SG).active)
    assert hdr["state"] == F.DIRTY
    assert hdr["log_required"] == (chk[0], current)
    assert chk[0] < current  # pages of the generation before the current one are not flushed


def test_a_crash_loses_no_acknowledged_message_mount_replays_the_logs():
    w = world(2007)
    srv = w.app("EXCH")
    for _ in range(7):
        srv.apply_workload(5)
    before = srv.data()
    power_cycle(w)
    assert not srv.alive() and srv.data()[f"{SG}/{DB}"] == "dismounted"
    assert srv.files("ex1").header(EDB)["state"] == F.DIRTY
    srv.mount(SG, DB)
    assert srv.data() == before


def test_dismount_flushes_and_leaves_a_clean_header():
    w = world(2007)
    srv = w.app("EXCH")
    srv.apply_workload(11)
    before = srv.data()
    srv.dismount(SG, DB)
    hdr = srv.files("ex1").header(EDB)
    assert hdr["state"] == F.CLEAN and hdr["log_required"] == (0, 0)
    assert not srv.cache
    srv.mount(SG, DB)
    assert srv.data() == before


def _crashed(rounds: int = 6):
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, rounds)
    power_cycle(w)
    return w, srv


def test_a_missing_required_log_refuses_the_mount_and_changes_nothing():
    w, srv = _crashed()
    files = srv.files("ex1")
    lo, _ = files.header(EDB)["log_required"]
    w.hosts.delete_file("ex1", "L:\\SG1\\" + F.log_name("E00", lo, 2007))
    blocks = w.hosts.read_file("ex1", EDB)
    with pytest.raises(ExchangeError) as err:
        srv.mount(SG, DB)
    assert err.value.jet == -543 and err.value.code == "JET_errRequiredLogFilesMissing"
    assert w.hosts.read_file("ex1", EDB) == blocks and not srv.mounted


def test_a_log_of_another_stream_is_refused():
    w, srv = _crashed()
    files = srv.files("ex1")
    gen, _, records = files.log("L:\\SG1\\E00.log")
    files.write("L:\\SG1\\E00.log", {0: F.log_block(gen, "another stream", records)})
    with pytest.raises(ExchangeError) as err:
        srv.mount(SG, DB)
    assert err.value.jet == -530


def test_writes_to_a_dismounted_database_are_refused():
    srv = world(2007).app("EXCH")
    srv.dismount(SG, DB)
    with pytest.raises(ExchangeError):
        srv.deliver(SG, DB, "user1", "s", "b")


def test_a_mounted_database_keeps_its_volumes_in_use():
    w = world(2007)
    with pytest.raises(Exception) as err:
        w.hosts.windows.dismount("ex1", "L:")
    assert "VDS_E_DEVICE_IN_USE" in str(err.value)
    w.app("EXCH").dismount(SG, DB)
    w.hosts.windows.dismount("ex1", "L:")


def test_the_estate_limits():
    doc = estate(2003)
    doc["applications"][1]["storage_groups"][0]["replication"] = "lcr"
    doc["applications"][1]["storage_groups"][0]["passive"] = {
        "log_path": "L:\\x",
        "data_path": "E:\\x",
    }
    with pytest.raises(ConfigError, match="Exchange 2007 features"):
        build_world(Estate.model_validate(doc))
    doc = estate(2007)
    doc["applications"][1]["storage_groups"][0]["databases"][0]["stm"] = "x.stm"
    with pytest.raises(ConfigError, match="no .stm"):
        build_world(Estate.model_validate(doc))
    doc = estate(2003)
    sgs = doc["applications"][1]["storage_groups"]
    sgs += [
        dict(sgs[0], name=f"SG{i}", log_path=f"L:\\SG{i}", data_path=f"E:\\SG{i}") for i in range(4)
    ]
    with pytest.raises(ConfigError, match="at most 4 storage groups"):
        build_world(Estate.model_validate(doc))
