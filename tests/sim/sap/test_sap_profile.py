"""``init<SID>.sap`` / ``init<SID>.utl`` syntax (SAP Library "Initialization Profile
init<DBSID>.sap"; split_cmd page help.sap.com nw75 .../47/39a2bd51500aa7e10000000a114a6b for
the quoted ``"<split_cmd> [$]"`` form) and the BR messages of 4.6C "Messages from BR152I to
BR181E" (help.sap.com saphelp_46c .../0d/d310294a0c11d182b80000e829fbfe)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sap_helpers import make_sap

from apprm_ref.errors import ConfigError
from apprm_ref.sim.sap import profile, textfiles
from apprm_ref.sim.sap.estate import demo_system
from apprm_ref.sim.sap.messages import BrError

TEXT = """\
# initPRD.sap
backup_mode = all          # whole database
backup_type = online_split
backup_dev_type = util_file_online
split_cmd = "/opt/omni/lbin/splitint $"
backup_root_dir = (/backup/a,
                   /backup/b)
util_par_file = initPRD.utl
"""


def test_parse_real_syntax() -> None:
    prof = profile.parse_sap(TEXT, "/oracle/PRD/dbs/initPRD.sap")
    assert prof.get("split_cmd") == "/opt/omni/lbin/splitint $"
    assert prof.items("backup_root_dir") == ("/backup/a", "/backup/b")
    assert prof.get("backup_type") == "online_split"
    assert list(prof.values) == [
        "backup_mode", "backup_type", "backup_dev_type", "split_cmd", "backup_root_dir",
        "util_par_file",
    ]  # fmt: skip


def test_write_then_parse_is_identity() -> None:
    prof = profile.parse_sap(TEXT, "p")
    again = profile.parse_sap(profile.write(prof, "header"), "p")
    assert again.values == prof.values


_value = st.text("abcXYZ019/._-$:", min_size=1, max_size=10)
_name = st.tuples(st.sampled_from("abcsu_"), st.text("abc_019", max_size=8)).map("".join)


@settings(max_examples=40)
@given(
    st.dictionaries(
        _name, st.one_of(_value, st.lists(_value, min_size=1, max_size=3).map(tuple)), max_size=5
    )
)
def test_utl_round_trip(values: dict) -> None:
    prof = profile.Profile("initPRD.utl", values)
    assert profile.parse(profile.write(prof), "initPRD.utl").values == values


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bogus_param = 1\n", "BR0163E"),
        ("backup_type = sometimes\n", "BR0164E"),
        ("backup_type online\n", "BR0160E"),
        ("backup_type =\n", "BR0161E"),
        ("backup_root_dir = (/a, /b\n", "BR0161E"),
        ('split_cmd = "/bin/split $\n', "BR0160E"),
        ("backup_type = (online, offline)\n", "BR0168E"),
    ],
)
def test_bad_profile_is_the_br_message(text: str, code: str) -> None:
    with pytest.raises(BrError) as exc:
        profile.parse_sap(text, "/oractl/dbs/initPRD.sap")
    assert exc.value.lines[0].startswith(code)
    assert exc.value.lines[1] == "BR0159E Error reading init_sap profile /oractl/dbs/initPRD.sap"
    assert exc.value.rc == 3


def test_profiles_are_files_on_the_sap_host() -> None:
    world, sap = demo_system(profile={"split_cmd": "/opt/omni/lbin/splitint $"})
    assert sap.sap_profile == "/oractl/dbs/initPRD.sap"
    text = textfiles.read(world.hosts, "db1", sap.sap_profile)
    assert 'split_cmd = "/opt/omni/lbin/splitint $"' in text
    assert textfiles.read(world.hosts, "db1", sap.utl_profile) is not None


def test_estate_profile_with_unknown_parameter_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="BR0163E Unknown parameter bogus"):
        demo_system(profile={"bogus": "1"})


def test_brbackup_on_a_broken_profile_ends_rc3_touching_nothing() -> None:
    s = make_sap()
    textfiles.write(s.world.hosts, "db1", s.sap.sap_profile, "backup_type = online\nfoo = 1\n")
    scn = s.db.scn
    r = s.run("brbackup", "-c", "-t", "online", "-d", "util_file")
    assert r.rc == 3
    assert "BR0163E Unknown parameter foo found in file /oractl/dbs/initPRD.sap" in r.out
    assert r.out.rstrip().endswith("BR0054I BRBACKUP terminated with errors")
    assert s.db.scn == scn and not s.backint.calls and s.sap.runs == []
