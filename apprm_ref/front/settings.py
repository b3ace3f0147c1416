"""``<lab>/apprm.toml``: the lab's own defaults for options the command line leaves out.

A flat table, read with :mod:`tomllib`; a key the CLI does not know is refused with the
file and line where it stands (a misspelt setting never passes silently), and so is a value
out of its range. The command line always wins over the file. Documented in docs/cli.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apprm_ref.errors import ConfigError
from apprm_ref.lab.lock import MAX_WAIT
from apprm_ref.types import Severity

SETTINGS_FILE = "apprm.toml"
MAX_INDENT = 8


@dataclass(frozen=True)
class Settings:
    wait: float | None = None  # root --wait (None: the lock's default)
    report: str = "normal"  # --report of backup and sessions show
    json_indent: int = 2  # --json documents; 0 prints each on one line


def _line(text: str, key: str) -> int:
    """The line of ``key`` (as a key or a table header) in the file, 1-based; 0 if unseen."""
    pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\])")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 0


def _check(key: str, value: Any) -> Any:
    """The value of one known key, or ValueError saying what it must be."""
    if key == "wait":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number of seconds")
        if not 0 <= value <= MAX_WAIT:
            raise ValueError(f"must be between 0 and {MAX_WAIT:g} seconds")
        return float(value)
    if key == "report":
        if not isinstance(value, str):
            raise ValueError("must be normal, warning, minor, major or critical")
        try:
            Severity.parse(value)
        except ValueError:
            raise ValueError("must be normal, warning, minor, major or critical") from None
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INDENT:
        raise ValueError(f"must be an integer from 0 to {MAX_INDENT}")
    return value


def load_settings(home: Path) -> Settings:
    path = home / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the settings: {exc}") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    known = Settings.__dataclass_fields__
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{path}:{_line(text, key)}"
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(known)})")
        try:
            values[key] = _check(key, value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None
    return Settings(**values)
