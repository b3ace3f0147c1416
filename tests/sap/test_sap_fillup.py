"""Fillup (``brbackup -f <log>``, SAP-5): after a run in which the product's backint
reported k files #ERROR, the fillup hands backint exactly those k data files (OS-P19),
and the BR*Tools detail logs carry the ``#FILE..... / #SAVED....`` pairs backint's
results make."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .sap_lab import SapLab

DATAFILES = ("/oradata/system01.dbf", "/oradata/users01.dbf")


def _recording(lab: SapLab, bad: set[str]) -> list[list[str]]:
    """backint's input lists, and ``bad`` files unreadable while it is set."""
    files, read, lists = lab.brtools.files, lab.brtools.files.read, []

    def rec(path: str) -> bytes:
        if path in bad:
            raise OSError(5, "I/O error", path)
        data = read(path)
        if path.endswith(".db.lst"):
            lists.append(data.decode().split())
        return data

    files.read = rec  # type: ignore[method-assign]
    return lists


@pytest.mark.rule("OS-P19")
@pytest.mark.rule("OS-I17")
@settings(max_examples=4)
@given(bad=st.sets(st.sampled_from(DATAFILES), min_size=1))
def test_fillup_hands_backint_exactly_the_files_that_failed(bad: set[str]) -> None:
    lab = SapLab(profile={"backup_type": "online"})
    lab.work()
    failing = set(bad)
    lists = _recording(lab, failing)
    argv = ["-u", "/", "-c", "force", "-t", "online", "-d", "util_file"]
    first = lab.brtools.brbackup(argv, store=lab.store)
    assert first.rc == 5 and first.detail_log  # OS-I17: backint rc 1 + #ERROR -> BRBACKUP 5
    assert "BR0279I Return code from 'backint': 1" in first.output
    detail = lab.brtools.read_log(first.detail_log)
    for path in bad:
        assert f"BR0233E Backup utility has reported an error while saving file {path}" in detail
    for path in set(DATAFILES) - bad:
        assert f"#FILE..... {path}" in detail
    failing.clear()
    lists.clear()
    fill = lab.brtools.brbackup(["-u", "/", "-c", "force", "-f", first.detail_log], store=lab.store)
    assert fill.rc == 0, fill.output
    (handed,) = lists
    assert {p for p in handed if p in DATAFILES} == bad
    saved = {c.path for c in lab.store.copies("PRD")}
    assert set(DATAFILES) <= saved
