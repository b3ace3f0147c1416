"""``apprm restore`` flags map onto the array family's and the application's own options
model: a flag the kind does not have is one clear error and no restore session (EXT-I3)."""

from __future__ import annotations

import pytest

from .conftest import doc, one_error_line
from .test_backup import SPEC


@pytest.fixture
def backed_up(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    spec = tmp_path / "fs1.yaml"
    spec.write_text(SPEC)
    assert cli("spec", "create", "--file", str(spec)).exit_code == 0
    return doc(cli("backup", "fs1", "--json").stdout)["id"]


def _restores(cli) -> int:  # type: ignore[no-untyped-def]
    rows = doc(cli("sessions", "list", "--json").stdout)
    return sum(1 for s in rows if s["type"] == "Restore")


@pytest.mark.rule("EXT-I3")
def test_restore_flags_another_kind_has_are_refused(backed_up, cli):  # type: ignore[no-untyped-def]
    res = cli("restore", "--session", backed_up, "--no-retain-source")
    one_error_line(res, "array family 'eva' has no option 'retain_source'")
    assert "it has: method, keep_replica" in res.stderr
    res = cli("restore", "--session", backed_up, "--until-scn", "5")
    one_error_line(res, "application 'filesystem' has no option 'scn', 'until'; it has: none")
    assert _restores(cli) == 0
    ok = cli("restore", "--session", backed_up, "--method", "copy-back", "--keep-replica")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert _restores(cli) == 1
