"""Parsers of what ``vssadmin list writers`` and ``diskshadow`` print (and nothing else).

``vssadmin list writers`` (sap-vss-addendum.md VSS-8): per writer, with 3-space indents,
``Writer name: '<name>'``, ``Writer Id: {guid}``, ``Writer Instance Id: {guid}``,
``State: [n] <text>``, ``Last error: <text>``; every FAILED_AT_* state prints "Failed" with
its own number. Last-error texts seen: No error, Retryable error, Non-retryable error, Timed
out, Inconsistent shadow copy ("Out of resources" is inferred).

``diskshadow`` (protocols.md §5.4): ``list writers detailed`` blocks ``* WRITER "<name>"`` with
``- Writer ID: {…}``, ``- Status: n (VSS_WS_…)`` and, per component, ``+ Component
"<writer>:\\<path>"``, ``- Name:``, ``- Logical path:``, ``- Selectable:``, ``- File List: Path
= …, Filespec = …`` (the component lines' layout is inferred); ``create`` prints ``Alias <name>
for shadow ID {…} set as environment variable.`` and the ``* Shadow copy ID = {…}`` blocks.
A line the parser does not know is ignored only where the tool may print more (a newer
Windows); a block it needs but cannot read raises ValueError naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apprm_ref.drivers.vss import ComponentInfo, ShadowInfo, WriterInfo

LAST_ERRORS = {
    "No error": "S_OK",
    "Retryable error": "VSS_E_WRITERERROR_RETRYABLE",
    "Non-retryable error": "VSS_E_WRITERERROR_NONRETRYABLE",
    "Timed out": "VSS_E_WRITERERROR_TIMEOUT",
    "Inconsistent shadow copy": "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT",
    "Out of resources": "VSS_E_WRITERERROR_OUTOFRESOURCES",
}
_NAME = re.compile(r"^Writer name: '(.*)'$")
_FIELD = re.compile(r"^   (Writer Id|Writer Instance Id|State|Last error): (.*)$")
_STATE = re.compile(r"^\[(\d+)\] (.+)$")
_GUID = re.compile(r"\{([0-9a-fA-F-]{36})\}")


def vssadmin_writers(text: str) -> list[WriterInfo]:
    out: list[WriterInfo] = []
    cur: dict[str, str] = {}

    def flush() -> None:
        if not cur:
            return
        missing = [k for k in ("name", "Writer Id", "State") if k not in cur]
        if missing:
            raise ValueError(f"vssadmin: writer {cur.get('name', '?')} without {missing[0]}")
        state = _STATE.match(cur["State"])
        if state is None:
            raise ValueError(f"vssadmin: unreadable state {cur['State']!r}")
        err = cur.get("Last error", "")
        out.append(
            WriterInfo(
                writer_id=_guid(cur["Writer Id"]),
                name=cur["name"],
                instance_id=_guid(cur.get("Writer Instance Id", "")),
                state=int(state[1]),
                state_text=state[2],
                last_error=LAST_ERRORS.get(err, f"unknown ({err})"),
            )
        )

    for line in text.splitlines():
        m = _NAME.match(line)
        if m:
            flush()
            cur = {"name": m[1]}
            continue
        f = _FIELD.match(line)
        if f and cur:
            cur[f[1]] = f[2].strip()
    flush()
    return out


def _guid(value: str) -> str:
    m = _GUID.search(value)
    return m[1].lower() if m else ""


@dataclass
class _Writer:
    name: str
    writer_id: str = ""
    state: int = 0
    components: list[ComponentInfo] = field(default_factory=list)


_COMP = re.compile(r'^\t\+ Component "(.*)"$')
_ITEM = re.compile(r"^\t\t- (Name|Logical path|Selectable|File List): (.*)$")
_FILES = re.compile(r"^Path = (.*), Filespec = ([^ ]+)( \(recursive\))?$")


def diskshadow_metadata(text: str) -> list[WriterInfo]:
    """``list writers detailed``: writers with their components and file lists."""
    writers: list[_Writer] = []
    comp: dict[str, object] | None = None

    def close() -> None:
        nonlocal comp
        if comp is not None and writers:
            writers[-1].components.append(
                ComponentInfo(
                    str(comp.get("Logical path", "")),
                    str(comp["Name"]),
                    tuple(comp.get("files", ())),  # type: ignore[arg-type]
                    comp.get("Selectable", "TRUE") == "TRUE",
                )
            )
        comp = None

    for line in text.splitlines():
        if line.startswith('* WRITER "'):
            close()
            writers.append(_Writer(line[len('* WRITER "') : -1]))
        elif line.startswith("\t- Writer ID:") and writers:
            writers[-1].writer_id = _guid(line)
        elif line.startswith("\t- Status:") and writers:
            writers[-1].state = int(line.split(":", 1)[1].split()[0])
        elif _COMP.match(line):
            close()
            comp = {"files": []}
        elif comp is not None and (m := _ITEM.match(line)):
            if m[1] == "File List":
                fm = _FILES.match(m[2])
                if fm is None:
                    raise ValueError(f"diskshadow: unreadable file list {m[2]!r}")
                comp["files"].append(f"{fm[1].rstrip(chr(92))}\\{fm[2]}")  # type: ignore[attr-defined]
            else:
                comp[m[1]] = m[2].strip()
    close()
    return [
        WriterInfo(w.writer_id, w.name, "", w.state, "", "", components=tuple(w.components))
        for w in writers
    ]


_SHADOW = re.compile(r"^\t\* Shadow copy ID = \{([0-9a-f-]{36})\}")
_SET = re.compile(r"^\t\t- Shadow copy set: \{([0-9a-f-]{36})\}")
_VOLUME = re.compile(r"^\t\t- Original volume name: (\S+)(?: \[(.*)\])?$")
_DEVICE = re.compile(r"^\t\t- Shadow copy device name: (\S+)$")
_ATTRS = re.compile(r"^\t\t- Attributes:\s+(.*)$")
DS_ATTRS = {"Persistent": 0x1, "No_Auto_Release": 0x8, "Transportable": 0x20}
DS_ATTRS.update({"Hardware": 0x10000, "Differential": 0x20000, "Plex": 0x40000})


def diskshadow_shadows(text: str) -> list[ShadowInfo]:
    """The ``* Shadow copy ID`` blocks of ``create`` or ``list shadows``."""
    out: list[ShadowInfo] = []
    cur: dict[str, str] = {}

    def flush() -> None:
        if cur:
            attrs = sum(DS_ATTRS.get(a, 0) for a in cur.get("attrs", "").split())
            out.append(
                ShadowInfo(
                    cur["id"], cur.get("set", ""), cur.get("label", ""), "", "", "", attrs,
                    cur.get("device", ""),
                )
            )  # fmt: skip

    for line in text.splitlines():
        if m := _SHADOW.match(line):
            flush()
            cur = {"id": m[1]}
        elif cur and (m := _SET.match(line)):
            cur["set"] = m[1]
        elif cur and (m := _VOLUME.match(line)):
            cur["label"] = m[2] or m[1]
        elif cur and (m := _DEVICE.match(line)):
            cur["device"] = m[1]
        elif cur and (m := _ATTRS.match(line)):
            cur["attrs"] = m[1]
    flush()
    return out
