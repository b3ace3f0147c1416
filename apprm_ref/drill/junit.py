"""JUnit XML: one testcase per expectation, so CI shows each drill assertion separately."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from apprm_ref.drill.result import DrillResult
from apprm_ref.drill.timeparse import format_at


def junit_xml(result: DrillResult) -> str:
    suite = ET.Element(
        "testsuite",
        {
            "name": f"drill.{result.scenario}",
            "tests": str(len(result.expectations)),
            "failures": str(len(result.failed)),
            "errors": "0",
            "skipped": "0",
            "time": "0",
        },
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("scenario", result.path),
        ("seed", str(result.seed)),
        ("trace_sha256", result.digest),
        ("simulated_duration", format_at(result.duration)),
    ):
        ET.SubElement(props, "property", {"name": key, "value": value})
    for exp in result.expectations:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"drill.{result.scenario}", "name": exp.name, "time": "0"},
        )
        if not exp.passed:
            fail = ET.SubElement(
                case,
                "failure",
                {"message": f"expected {exp.expected}, observed {exp.observed}", "type": exp.kind},
            )
            where = f"{result.path}:{exp.line}: " if exp.line else ""
            fail.text = f"{where}{exp.name}: expected {exp.expected}, observed {exp.observed}"
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"observed {exp.observed}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(result: DrillResult, path: str | Path) -> None:
    Path(path).write_text(junit_xml(result))
