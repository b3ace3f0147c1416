"""``lab.save``: a lab save that fails leaves no half archive and the lab as it was (REL-I1)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.rule("REL-I1")
def test_a_failed_lab_save_leaves_no_archive_and_the_lab_unchanged(tmp_path, lab, cli):  # type: ignore[no-untyped-def]
    assert cli("lab", "fault", "arm", "lab.save").exit_code == 0
    before = json.loads(cli("lab", "show", "--json").stdout)
    archive = tmp_path / "lab.tar.gz"
    res = cli("lab", "save", str(archive))
    assert res.exit_code != 0 and "lab.save" in res.stderr, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr and not archive.exists()
    assert list(tmp_path.glob("lab.tar.gz*")) == []
    assert json.loads(cli("lab", "show", "--json").stdout) == before
    assert cli("lab", "fault", "disarm", "lab.save").exit_code == 0
    assert cli("lab", "save", str(archive)).exit_code == 0
    assert archive.exists()
