"""``init<SID>.sap`` and ``init<SID>.utl``: read and written in their real syntax.

One parameter a line, ``name = value``; a list in parentheses, ``name = (a, b, c)``, which
may run over several lines; a value with blanks in double quotes (``split_cmd =
"/usr/local/bin/xpsplit $"``, which BR*Tools requires, BR0170E); ``#`` starts a comment
(SAP Library "Initialization Profile init<DBSID>.sap" and the parameter pages cited in
oracle-sap.md §7.1, sap-vss-addendum.md SAP-10). A name BR*Tools does not know is
BR0163E, a broken line BR0160E/BR0161E, a value outside the parameter's domain BR0164E; each
comes after BR0159E naming the profile, and ends the tool with rc 3 (initialisation error).
The ``.utl`` file belongs to the backup vendor: BR*Tools only passes its name to BACKINT
(``-p``), so its syntax is checked here and its names by whoever is given ``known``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from apprm_ref.sim.sap.messages import RC_INIT, BrError, msg

Value = str | tuple[str, ...]

BACKUP_TYPES = (
    "online", "online_cons", "offline", "offline_force", "offline_standby", "online_standby",
    "offline_stop", "online_split", "offline_split", "online_mirror", "offline_mirror",
    "offstby_split", "offstby_mirror", "oncons_split", "oncons_mirror",
)  # fmt: skip
DEVICE_TYPES = (
    "tape", "disk", "pipe", "disk_copy", "disk_standby", "tape_auto", "pipe_auto", "tape_box",
    "pipe_box", "util_file", "util_file_online", "util_vol", "util_vol_online", "stage",
    "stage_copy", "stage_standby", "rman_prep", "rman_util", "rman_disk", "rman_stage",
    "util_disk", "util_stage",
)  # fmt: skip

# init<SID>.sap parameters BR*Tools knows: name -> allowed values (None: any text).
SAP_PARAMS: dict[str, tuple[str, ...] | None] = {
    "backup_type": BACKUP_TYPES,
    "backup_mode": None,
    "backup_dev_type": DEVICE_TYPES,
    "backup_root_dir": None,
    "stage_root_dir": None,
    "archive_copy_dir": None,
    "archive_stage_dir": None,
    "util_par_file": None,
    "split_cmd": None,
    "resync_cmd": None,
    "pre_split_cmd": None,
    "post_split_cmd": None,
    "split_options": None,
    "split_resync": ("no", "yes"),
    "primary_db": None,
    "inst_str": None,
    "orig_db_home": None,
    "stage_copy_cmd": ("rcp", "ftp", "scp"),
    "recov_type": ("complete", "dbpit", "tspit", "reset", "restore", "apply", "disaster"),
    "restore_mode": None,
    "compress": ("no", "yes", "hardware", "only", "brtools"),
    "exec_parallel": None,
    "tape_address": None,
    "tape_address_rew": None,
    "volume_backup": None,
    "volume_archive": None,
    "expir_period": None,
    "tape_use_count": None,
    "tape_size": None,
    "archive_function": ("save", "save_delete", "second_copy", "double_save",
                         "double_save_delete", "copy_save", "copy_delete_save"),
    "saparch": None,
    "sapbackup": None,
    "sapreorg": None,
}  # fmt: skip
SAP_LISTS = {"backup_mode", "backup_root_dir", "archive_copy_dir", "tape_address",
             "tape_address_rew", "volume_backup", "volume_archive", "stage_root_dir"}  # fmt: skip

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOLS = frozenset("=(),")


@dataclass
class Profile:
    """Parameters in file order (writing keeps that order)."""

    path: str
    values: dict[str, Value] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        v = self.values.get(name)
        if v is None:
            return default
        return v if isinstance(v, str) else ",".join(v)

    def items(self, name: str) -> tuple[str, ...]:
        v = self.values.get(name)
        if v is None:
            return ()
        return (v,) if isinstance(v, str) else v


def _fail(path: str, line: str) -> BrError:
    return BrError(RC_INIT, line, msg("BR0159E", path))


def _tokens(text: str, path: str) -> list[tuple[str, int]]:
    """Words, quoted strings and the symbols ``= ( ) ,`` with their line numbers."""
    out: list[tuple[str, int]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw
        i = 0
        while i < len(line):
            c = line[i]
            if c == "#":
                break
            if c.isspace():
                i += 1
            elif c in "=(),":
                out.append((c, no))
                i += 1
            elif c == '"':
                end = line.find('"', i + 1)
                if end < 0:
                    raise _fail(path, msg("BR0160E", line[i:], f"in line {no}"))
                out.append((line[i : end + 1], no))
                i = end + 1
            else:
                j = i
                while j < len(line) and not line[j].isspace() and line[j] not in '=(),#"':
                    j += 1
                out.append((line[i:j], no))
                i = j
    return out


def _unquote(tok: str) -> str:
    return tok[1:-1] if tok.startswith('"') else tok


def parse(text: str, path: str, known: Iterable[str] | None = None) -> Profile:
    """Parse a profile; ``known`` (None: any name) is the set of parameter names allowed."""
    names = None if known is None else set(known)
    toks = _tokens(text, path)
    prof = Profile(path)
    i = 0
    while i < len(toks):
        name, no = toks[i]
        if not _NAME.fullmatch(name):
            raise _fail(path, msg("BR0160E", name, f"in line {no}"))
        if names is not None and name not in names:
            raise _fail(path, msg("BR0163E", name, path))
        if i + 1 < len(toks) and toks[i + 1][0] != "=":
            raise _fail(path, msg("BR0160E", toks[i + 1][0], name))
        if i + 2 >= len(toks):
            raise _fail(path, msg("BR0161E", path))
        tok = toks[i + 2][0]
        if tok == "(":
            items, i = _list(toks, i + 3, path, name)
            prof.values[name] = items
            continue
        if tok in _SYMBOLS:
            raise _fail(path, msg("BR0160E", tok, name))
        prof.values[name] = _unquote(tok)
        i += 3
    return prof


def _list(toks: list[tuple[str, int]], i: int, path: str, name: str) -> tuple[tuple[str, ...], int]:
    items: list[str] = []
    expect_item = True
    while i < len(toks):
        tok = toks[i][0]
        if tok == ")" and (not expect_item or not items):
            return tuple(items), i + 1
        if expect_item and tok not in _SYMBOLS:
            items.append(_unquote(tok))
            expect_item = False
        elif not expect_item and tok == ",":
            expect_item = True
        else:
            raise _fail(path, msg("BR0160E", tok, name))
        i += 1
    raise _fail(path, msg("BR0161E", path))


def parse_sap(text: str, path: str) -> Profile:
    """``init<SID>.sap``: names from :data:`SAP_PARAMS`, values in their domains."""
    prof = parse(text, path, SAP_PARAMS)
    for name, value in prof.values.items():
        domain = SAP_PARAMS[name]
        if isinstance(value, tuple) and name not in SAP_LISTS:
            raise _fail(path, msg("BR0168E", name))
        if domain is not None and isinstance(value, str) and value not in domain:
            raise _fail(path, msg("BR0164E", value, name))
    return prof


def _format_value(value: Value) -> str:
    def one(v: str) -> str:
        return f'"{v}"' if (not v or any(c.isspace() or c in "=(),#" for c in v)) else v

    if isinstance(value, tuple):
        return "(" + ", ".join(one(v) for v in value) + ")"
    return one(value)


def write(prof: Profile, header: str = "") -> str:
    """The profile's text; ``parse(write(p)) == p``."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"{name} = {_format_value(v)}" for name, v in prof.values.items()]
    return "".join(f"{line}\n" for line in lines)
