"""``apprm lab``: state persists across separate invocations."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from .conftest import doc, one_error_line


def test_init_and_show(lab, cli):
    res = cli("lab", "show", "--json")
    assert res.exit_code == 0, res.stderr
    info = doc(res.stdout)
    assert info["seed"] == 7
    assert info["arrays"] == [{"kind": "eva", "name": "eva1"}, {"kind": "xp", "name": "xp1"}]
    assert info["hosts"] == ["app1", "bk1"]
    assert info["idb"]["sessions"] == 0
    assert (lab / "idb.sqlite").exists() and not (lab / "world.json").exists()  # world in the IDB
    assert (lab / "lab.yaml").exists()
    assert "eva1 (eva)" in cli("lab", "show").stdout


def test_init_refuses_existing_lab_unless_forced(lab, cli):
    one_error_line(cli("lab", "init"), "already exists")
    assert cli("lab", "init", "--force", "--seed", "3").exit_code == 0
    assert doc(cli("lab", "show", "--json").stdout)["seed"] == 3


def test_no_lab_is_one_line(home, cli):
    one_error_line(cli("lab", "show"), "no lab at")
    one_error_line(cli("sessions", "list"), "no lab at")


def test_home_option_wins(tmp_path, home, cli):
    other = tmp_path / "other"
    assert cli("--home", str(other), "lab", "init").exit_code == 0
    assert (other / "idb.sqlite").exists() and (other / "lab.yaml").exists()
    assert not home.exists()


def test_advance_persists(lab, cli):
    start = datetime.fromisoformat(doc(cli("lab", "show", "--json").stdout)["now_at"])
    assert cli("lab", "advance", "2h").exit_code == 0
    assert cli("lab", "advance", "1d").exit_code == 0
    info = doc(cli("lab", "show", "--json").stdout)
    assert datetime.fromisoformat(info["now_at"]) == start + timedelta(hours=26)
    assert info["now_at"].startswith("2008-03-04T02:") and info["now_at"].endswith("+00:00")


def test_advance_bad_duration(lab, cli):
    one_error_line(cli("lab", "advance", "soon"), "not a duration")


def test_fault_arm_list_disarm(lab, cli):
    res = cli("lab", "fault", "arm", "eva.create", "--nth", "2", "--code", "ERR_DG_FULL")
    assert res.exit_code == 0, res.stderr
    rules = doc(cli("lab", "fault", "list", "--json").stdout)["rules"]
    assert [(r["site"], r["nth"], r["code"]) for r in rules] == [("eva.create", 2, "ERR_DG_FULL")]
    assert "eva.create" in cli("lab", "fault", "list").stdout
    assert cli("lab", "fault", "disarm", "eva.create").exit_code == 0
    assert cli("lab", "fault", "list").stdout.strip() == "No faults armed."
    one_error_line(cli("lab", "fault", "disarm", "eva.create"), "no fault armed")


def test_fault_arm_rejects_bad_probability(lab, cli):
    one_error_line(cli("lab", "fault", "arm", "eva.*", "--probability", "2"), "probability")


def test_fault_arm_refuses_an_unknown_site_and_saves_nothing(lab, cli):
    one_error_line(cli("lab", "fault", "arm", "eva.create_snapshot"), "no fault site matches")
    one_error_line(cli("lab", "fault", "arm", "evaa.*"), "known sites: eva.create")
    assert cli("lab", "fault", "list").stdout.strip() == "No faults armed."
    sites = doc(cli("lab", "fault", "sites", "--json").stdout)
    assert {"site": "eva.create", "failure": sites[0]["failure"]} in sites


def test_fault_catalogue_names_every_site_in_the_sources():
    """Every literal ``faults.check``/``fires`` site is catalogued, and nothing else is."""
    import re
    from pathlib import Path

    import apprm_ref
    from apprm_ref.sim.fault_sites import SITES

    call = re.compile(r"faults\.(?:check|fires|delay)\(\s*\"([a-z_.]+)\"")
    pair = re.compile(r"site = \"([a-z_.]+)\" if \w+ else \"([a-z_.]+)\"")
    found: set[str] = set()
    for path in Path(apprm_ref.__file__).parent.rglob("*.py"):
        text = path.read_text()
        found.update(call.findall(text))
        for a, b in pair.findall(text):
            found.update((a, b))
    assert sorted(found) == sorted(SITES)


def test_save_and_load(tmp_path, lab, cli):
    assert cli("lab", "advance", "3h").exit_code == 0
    archive = tmp_path / "lab.tar.gz"
    assert cli("lab", "save", str(archive)).exit_code == 0
    before = doc(cli("lab", "show", "--json").stdout)
    other = tmp_path / "copy"
    res = cli("--home", str(other), "lab", "load", str(archive))
    assert res.exit_code == 0, res.stderr
    after = doc(cli("--home", str(other), "lab", "show", "--json").stdout)
    for key in ("home", "idb"):
        before.pop(key), after.pop(key)
    assert before == after
    one_error_line(cli("lab", "load", str(archive)), "already exists")
    one_error_line(cli("lab", "load", "--force", str(tmp_path / "none.tgz")), "not a lab archive")


def test_init_from_estate_file(home, cli, tmp_path):
    from apprm_ref.sim import estate

    src = tmp_path / "estate.yaml"
    default = Path(estate.__file__).with_name("default_estate.yaml").read_text()
    src.write_text(default.replace("name: bk1", "name: bk9"))
    res = cli("lab", "init", "--scenario", str(src), "--seed", "11")
    assert res.exit_code == 0, res.stderr
    info = doc(cli("lab", "show", "--json").stdout)
    assert info["hosts"] == ["app1", "bk9"] and info["seed"] == 11
    assert info["source"] == str(src)


def test_init_from_bad_file(home, cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("arrays: [unclosed\n")
    one_error_line(cli("lab", "init", "--scenario", str(bad)), "not valid YAML")
    one_error_line(cli("lab", "init", "--scenario", str(tmp_path / "none.yaml")), "no such file")
    assert not (home / "world.json").exists()


def test_idb_url_override(home, cli, tmp_path, monkeypatch):
    elsewhere = tmp_path / "shared-idb.sqlite"
    monkeypatch.setenv("APPRM_IDB_URL", f"sqlite:///{elsewhere}")
    assert cli("lab", "init").exit_code == 0
    assert elsewhere.exists() and not (home / "idb.sqlite").exists()
    assert doc(cli("lab", "show", "--json").stdout)["idb"]["url"].endswith("shared-idb.sqlite")
    res = cli("lab", "save", str(tmp_path / "l.tgz"))
    assert res.exit_code == 1 and "not saved" in res.stderr
