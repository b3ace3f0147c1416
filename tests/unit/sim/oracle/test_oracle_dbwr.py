"""DBWR writes the header of each file whose fuzzy SCN rose: after every epoch the header
on disk is the instance's header, as ``write_header`` packs it (its inline packing of a
header of scalars and its freezing path for any other)."""

from __future__ import annotations

from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.estate import Estate


def _headers_match_write_header(estate: Estate) -> None:
    db = estate.db
    for no, f in sorted(db.cf["files"].items()):
        on_disk = db.files.read_block(f["name"], 0)
        db.files.write_header(no)  # the reference writer, same content
        assert db.files.read_block(f["name"], 0) == on_disk
        assert F.unpack(on_disk, F.DF_HEADER) == db.hdr[no]


def test_dbwr_headers_on_disk_are_what_write_header_writes(estate: Estate) -> None:
    fuzzy = set()
    for _ in range(40):
        estate.db.workload(20)
        fuzzy.update(h["fuzzy_scn"] for h in estate.db.hdr.values())
        _headers_match_write_header(estate)
    assert len(fuzzy) > 2  # DBWR did raise fuzzy SCNs (and so wrote headers)


def test_dbwr_header_with_a_non_scalar_value_takes_the_freezing_path(estate: Estate) -> None:
    for h in estate.db.hdr.values():
        h["note"] = ("not", "a", "scalar")
    before = {no: h["fuzzy_scn"] for no, h in estate.db.hdr.items()}
    for _ in range(10):
        estate.db.workload(20)
        _headers_match_write_header(estate)
    assert any(estate.db.hdr[no]["fuzzy_scn"] != s for no, s in before.items())
