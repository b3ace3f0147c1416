"""``apprm drill schema`` is the schema editors validate scenario files with (OPS-I7).

The printed JSON Schema must accept every shipped scenario as the loader does: sizes are
written ``16GiB`` in the files, so the schema types them as the loader parses them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from apprm_ref.sim.estate import SIZE_PATTERN, parse_size

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator(tmp_path_factory):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from apprm_ref.cli.main import app

    res = CliRunner().invoke(app, ["drill", "schema"])
    assert res.exit_code == 0, res.stderr
    schema = json.loads(res.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.rule("OPS-I7")
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_validates_against_the_printed_schema(validator, path):  # type: ignore[no-untyped-def]
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(yaml.safe_load(path.read_text()))
    ]
    assert errors == []


@pytest.mark.rule("OPS-I7")
def test_the_schema_still_refuses_a_bad_size(validator):  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(SCENARIOS[0].read_text())
    first = doc["estate"]["arrays"][0]
    vols = first.get("vdisks") or first.get("ldevs")
    vols[0]["size"] = "16 gigs"
    messages = [e.message for e in validator.iter_errors(doc)]
    assert any("16 gigs" in m for m in messages), messages


_SIZE_TEXT = st.one_of(
    st.from_regex(r"\A\s?\d{1,4}(\.\d{1,2})?\s?([KkMmGgTtPp][Ii]?[Bb]?|[Bb])?\s?\Z"),
    st.text(alphabet="0123456789.kKmMgGiIbB -e", max_size=8),
)


@pytest.mark.rule("OPS-I7")
@given(_SIZE_TEXT)
def test_schema_pattern_accepts_exactly_what_the_loader_parses(text: str) -> None:
    try:
        parse_size(text)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.match(SIZE_PATTERN, text)) == parsed, text
