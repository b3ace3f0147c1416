"""The product's backint program against BC-BRI (protocols.md §4, oracle-sap.md §8,
sap-vss-addendum.md SAP-5..SAP-9, SAP-18): arguments, line formats, exit codes, the
catalogue's round trip, and the ``file_online`` switch rounds."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprm_ref.real import sap_backint as bk

from .backint_fakes import SAPBACKUP, DictFiles, SwitchPeer, store

ENV = {"SAPBACKUP": SAPBACKUP}
DATA1 = "/oracle/PRD/sapdata1/system_1/system.data1"
DATA2 = "/oracle/PRD/sapdata2/sr3_1/sr3.data1"


def call(args: str, fs: DictFiles, st_: object, lines: list[str]) -> tuple[int, list[str]]:
    fs.data["/tmp/in"] = ("\n".join(lines) + "\n").encode()
    rc, out, err = bk.run(
        [*args.split(), "-i", "/tmp/in", "-o", "/tmp/out"], store=st_, files=fs, env=ENV
    )
    assert err == "" or rc == 2, err
    text = fs.data.get("/tmp/out", b"").decode()
    return rc, [x for x in text.splitlines() if x.startswith("#")]


def test_backup_saves_each_file_under_one_bid_and_errors_the_unreadable() -> None:
    fs, s = DictFiles({DATA1: b"a", DATA2: b"b"}, unreadable={DATA2}), store()
    rc, lines = call("-u PRD -f backup -t file -c", fs, s, [DATA1, DATA2])
    assert rc == 1  # SAP-18: 1 = at least one object failed
    assert lines == [f"#SAVED APPRM0000000001 {DATA1}", f"#ERROR {DATA2}"]


def test_the_example_of_the_reference_prints_as_documented() -> None:
    """protocols.md §4.4: free text first, then the keyword lines; exit 1 on an #ERROR."""
    fs, s = DictFiles({DATA1: b"x"}), store()
    fs.data["/tmp/in"] = f"{DATA1}\n{DATA2}\n".encode()
    rc, _, _ = bk.run(
        ["-u", "PRD", "-f", "backup", "-i", "/tmp/in", "-o", "/tmp/out", "-c"],
        store=s,
        files=fs,
        env=ENV,
    )
    out = fs.data["/tmp/out"].decode().splitlines()
    assert rc == 1 and not out[0].startswith("#")
    assert out[1:] == [f"#SAVED APPRM0000000001 {DATA1}", f"#ERROR {DATA2}"]


@pytest.mark.parametrize(
    "argv",
    [
        ["-f", "backup"],  # no -u
        ["-u", "PRD", "-x", "1"],
        ["-u", "PRD", "-f", "mount"],
        ["-u", "PRD", "-t", "volume"],
        ["-u", "PRD", "-f", "restore", "-t", "file_online"],
        ["-u", "PRD", "-u", "QAS"],
        ["-u"],
        ["-u", "PRD", "-p", "/nope.utl"],
    ],
)
def test_a_call_bc_bri_does_not_allow_exits_2_and_touches_nothing(argv: list[str]) -> None:
    fs, s = DictFiles({DATA1: b"a"}), store()
    rc, out, err = bk.run(argv, store=s, files=fs, stdin=f"{DATA1}\n", env=ENV)
    assert rc == 2 and out == "" and err.startswith("backint: ")
    assert s.copies("PRD") == []


def test_an_unknown_parameter_in_the_utl_file_is_refused() -> None:
    fs, s = DictFiles({"/oracle/PRD/dbs/initPRD.utl": b"switch_batch 2\ncompress yes\n"}), store()
    rc, _, err = bk.run(
        ["-u", "PRD", "-p", "/oracle/PRD/dbs/initPRD.utl"], store=s, files=fs, env=ENV
    )
    assert rc == 2 and "unknown parameter 'compress'" in err


def test_raw_device_lines_carry_their_size() -> None:
    fs, s = DictFiles({"/dev/rdsk/c1t0d0s4": b"raw"}), store()
    rc, lines = call("-u PRD -f backup", fs, s, ["/dev/rdsk/c1t0d0s4 1048576"])
    assert rc == 0 and lines == ["#SAVED APPRM0000000001 /dev/rdsk/c1t0d0s4"]


def test_restore_by_bid_into_another_directory_and_notfound() -> None:
    fs, s = DictFiles({DATA1: b"v1"}), store()
    call("-u PRD -f backup", fs, s, [DATA1])
    fs.data[DATA1] = b"v2"
    call("-u PRD -f backup", fs, s, [DATA1])
    rc, lines = call(
        "-u PRD -f restore", fs, s, [f"APPRM0000000001 {DATA1} /restore", f"#NULL {DATA2}"]
    )
    assert rc == 1
    assert lines == [f"#RESTORED APPRM0000000001 {DATA1}", f"#NOTFOUND {DATA2}"]
    assert fs.data["/restore/system.data1"] == b"v1"


def test_inquire_forms_list_newest_first() -> None:
    fs, s = DictFiles({DATA1: b"1", DATA2: b"2"}), store()
    call("-u PRD -f backup", fs, s, [DATA1, DATA2])
    call("-u PRD -f backup", fs, s, [DATA1])
    _, lines = call("-u PRD -f inquire", fs, s, ["#NULL"])
    assert lines == ["#BACKUP APPRM0000000002", "#BACKUP APPRM0000000001"]
    _, lines = call("-u PRD -f inquire", fs, s, ["APPRM0000000001"])
    assert lines == [f"#BACKUP APPRM0000000001 {DATA1}", f"#BACKUP APPRM0000000001 {DATA2}"]
    _, lines = call("-u PRD -f inquire", fs, s, [f"APPRM0000000002 {DATA2}"])
    assert lines == [f"#NOTFOUND {DATA2}"]
    _, lines = call("-u QAS -f inquire", fs, s, [f"#NULL {DATA1}"])
    assert lines == [f"#NOTFOUND {DATA1}"]  # another user's backups are not this one's


def test_delete_removes_one_copy() -> None:
    fs, s = DictFiles({DATA1: b"1"}), store()
    call("-u PRD -f backup", fs, s, [DATA1])
    rc, lines = call("-u PRD -f delete", fs, s, [f"APPRM0000000001 {DATA1}"])
    assert rc == 0 and lines == [f"#DELETED APPRM0000000001 {DATA1}"]
    rc, lines = call("-u PRD -f restore", fs, s, [f"#NULL {DATA1}"])
    assert rc == 1 and lines == [f"#NOTFOUND {DATA1}"]
    call("-u PRD -f backup", fs, s, [DATA1])  # a deleted BID's number is not issued again
    assert s.copies("PRD")[0].bid == "APPRM0000000002"


# one IDB for the property tests, a fresh backint user per example (users never share copies)
_SHARED = store()
_USERS = (f"P{n:05d}" for n in itertools.count())


def shared() -> tuple[object, str]:
    return _SHARED, next(_USERS)


paths = st.lists(
    st.from_regex(r"/oracle/PRD/sapdata[1-4]/[a-z]{1,6}_1/[a-z]{1,6}\.data[1-9]", fullmatch=True),
    min_size=1,
    max_size=8,
    unique=True,
)


@pytest.mark.rule("OS-I17")
@settings(max_examples=25)
@given(paths=paths, bad=st.sets(st.integers(0, 7)), batch=st.integers(1, 4))
def test_one_result_line_per_input_line(paths: list[str], bad: set[int], batch: int) -> None:
    """OS-I17: exactly one keyword line per input line, in input order, in both types."""
    fs = DictFiles({p: p.encode() for p in paths}, peer=SwitchPeer())
    fs.unreadable = {p for i, p in enumerate(paths) if i in bad}
    fs.data["/u.utl"] = f"switch_batch {batch}\n".encode()
    for kind in ("file", "file_online"):
        st_, user = shared()
        rc, lines = call(f"-u {user} -f backup -t {kind} -p /u.utl", fs, st_, paths)
        assert [x.split()[-1] for x in lines] == paths
        assert [x.split()[0] for x in lines] == [
            "#ERROR" if p in fs.unreadable else "#SAVED" for p in paths
        ]
        assert rc == (1 if fs.unreadable else 0)


@pytest.mark.rule("OS-P13")
@settings(max_examples=25)
@given(paths=paths, versions=st.integers(1, 3))
def test_round_trip(paths: list[str], versions: int) -> None:
    """OS-P13: every file #SAVED; inquire #NULL <file> gives that BID first; restore #NULL
    gives #RESTORED with the same BID and the saved bytes; an unknown file is #NOTFOUND, rc 1."""
    fs = DictFiles()
    s, user = shared()
    for v in range(versions):
        for p in paths:
            fs.data[p] = f"{p}@{v}".encode()
        rc, lines = call(f"-u {user} -f backup", fs, s, paths)
        assert rc == 0 and len(lines) == len(paths)
        bid = lines[0].split()[1]
        assert lines == [f"#SAVED {bid} {p}" for p in paths]
    for p in paths:
        _, inq = call(f"-u {user} -f inquire", fs, s, [f"#NULL {p}"])
        assert inq[0] == f"#BACKUP {bid} {p}" and len(inq) == versions
        fs.data.pop(p)
    rc, lines = call(f"-u {user} -f restore", fs, s, [f"#NULL {p}" for p in paths])
    assert rc == 0 and lines == [f"#RESTORED {bid} {p}" for p in paths]
    assert all(fs.data[p] == f"{p}@{versions - 1}".encode() for p in paths)
    rc, lines = call(f"-u {user} -f restore", fs, s, ["#NULL /oracle/PRD/nothing.dbf"])
    assert rc != 0 and lines == ["#NOTFOUND /oracle/PRD/nothing.dbf"]


@pytest.mark.rule("OS-I18")
@settings(max_examples=25)
@given(paths=paths, batch=st.integers(1, 4), refuse=st.sets(st.integers(0, 7)))
def test_file_online_copies_only_in_backup_mode_in_batched_rounds(
    paths: list[str], batch: int, refuse: set[int]
) -> None:
    """OS-I18: each file is read only while switched into backup mode, every BEGIN that
    succeeded has its END before backint exits, rounds hold at most ``switch_batch`` files,
    a file BRBACKUP could not switch is #ERROR, and a final request ends the dialogue."""
    peer = SwitchPeer(refuse={p for i, p in enumerate(paths) if i in refuse})
    fs = DictFiles({p: b"x" for p in paths}, peer=peer)
    fs.data["/u.utl"] = f"switch_batch {batch}\n".encode()
    st_, user = shared()
    rc, lines = call(f"-u {user} -f backup -t file_online -p /u.utl", fs, st_, paths)
    assert all(peer.copied_in_backup)
    assert len(peer.copied_in_backup) == len(paths) - len(peer.refuse)
    assert peer.in_backup == set()  # every BEGIN ended
    assert all(len(r) <= batch for r in peer.requests)
    assert peer.requests[-1] == ["#END"]
    assert [x.split()[0] for x in lines] == [
        "#ERROR" if p in peer.refuse else "#SAVED" for p in paths
    ]
    assert rc == (1 if peer.refuse else 0)
    assert f"{SAPBACKUP}/.switch.sem" not in fs.data


@pytest.mark.rule("OS-I18")
def test_brbackup_not_answering_fails_the_files_and_reads_nothing() -> None:
    peer = SwitchPeer(hang=True)
    fs = DictFiles({DATA1: b"1", DATA2: b"2"}, peer=peer)
    rc, lines = call("-u PRD -f backup -t file_online", fs, store(), [DATA1, DATA2])
    assert rc == 1 and lines == [f"#ERROR {DATA1}", f"#ERROR {DATA2}"]
    assert peer.copied_in_backup == [] and f"{SAPBACKUP}/.switch.sem" not in fs.data


def test_rc_partial_is_configurable() -> None:
    """SAP-18: the Oracle wording of exit 1 is unpublished; the .utl may make it 2."""
    fs = DictFiles({"/u.utl": b"rc_partial = 2\n"})
    rc, lines = call("-u PRD -f backup -p /u.utl", fs, store(), [DATA1])
    assert rc == 2 and lines == [f"#ERROR {DATA1}"]
