"""The real SAP driver: BR*Tools (``brbackup``, ``brarchive``, ``brrestore``, ``brrecover``)
run over the :class:`~apprm_ref.real.runner.CommandRunner` seam, with the product's
``backint`` and split command as the programs they start.

A runner with ``run_with(argv, programs)`` hands BR*Tools the product's programs in the
same process (the simulator's BR*Tools, or a host agent); a plain runner runs them as
processes, which find the product's ``backint`` console program on their PATH and cannot
call a session back for a split, so a split-type run is refused there. The result is read
from what BR*Tools print: the exit code (0-6, SAP-1), the ``BR<nnnn><I|W|E>`` messages
and the detail log named in BR0055I/BR0006I/BR0405I/BR0705I (``b<7 letters>.<ext>``, SAP-2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.sap import BackintStore, BrResult, HostFiles, SplitCallback
from apprm_ref.errors import ConfigError
from apprm_ref.real.runner import CommandRunner
from apprm_ref.real.sap_backint_runner import ProductPrograms

_MSG_RE = re.compile(r"^\s*BR\d{3,4}[IWE]\b")
_LOG_RE = re.compile(r"\b([abrv][a-z]{7}\.[a-z]{3})\b")
_START = ("BR0055I", "BR0006I", "BR0405I", "BR0705I")  # Start of ... : <log> <time>


def read_profile(text: str) -> dict[str, str]:
    """``init<SID>.sap`` parameters as text (``name = value``, lists kept in parentheses,
    quotes removed); what the checks and the integration need of it."""
    out: dict[str, str] = {}
    pending: tuple[str, str] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith('"') else raw.strip()
        if pending is not None:
            name, acc = pending
            acc += " " + line
            if ")" in line:
                out[name], pending = acc.strip(), None
            else:
                pending = (name, acc)
            continue
        if "=" not in line:
            continue
        name, value = (x.strip() for x in line.split("=", 1))
        if value.startswith("(") and ")" not in value:
            pending = (name, value)
            continue
        out[name] = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return out


def parse_result(rc: int, text: str, argv: Sequence[str]) -> BrResult:
    lines = text.splitlines()
    messages = tuple(ln.strip() for ln in lines if _MSG_RE.match(ln))
    log = None
    for ln in messages:
        if ln.split()[0] in _START:
            found = _LOG_RE.search(ln)
            log = found.group(1) if found else None
            break
    return BrResult(rc, log, text, tuple(argv), messages)


@dataclass
class BrToolsDriver:
    """:class:`~apprm_ref.drivers.sap.SapDriver` of SAP system ``sid``."""

    sid: str
    runner: CommandRunner
    files: HostFiles  # the SAP host's files, where backint reads and writes
    env: Mapping[str, str] = field(default_factory=dict)

    def capabilities(self) -> Capabilities:
        return Capabilities("sap", vendor="SAP", model="BR*Tools")

    def _run(
        self, tool: str, argv: Sequence[str], store: BackintStore, split: SplitCallback | None
    ) -> BrResult:
        full = [tool, *argv]
        run_with = getattr(self.runner, "run_with", None)
        if run_with is None:
            if split is not None:
                raise ConfigError(
                    f"{tool} with a split type needs BR*Tools that can call the product back "
                    "in-process (a runner with run_with)",
                    field="driver",
                )
            rc, out, err = self.runner.run(full)
        else:
            programs = ProductPrograms(store, self.files, split, dict(self.env))
            rc, out, err = run_with(full, programs)
        return parse_result(rc, out + err, full)

    def brbackup(
        self, argv: Sequence[str], *, store: BackintStore, split: SplitCallback | None = None
    ) -> BrResult:
        return self._run("brbackup", argv, store, split)

    def brarchive(self, argv: Sequence[str], *, store: BackintStore) -> BrResult:
        return self._run("brarchive", argv, store, None)

    def brrestore(self, argv: Sequence[str], *, store: BackintStore) -> BrResult:
        return self._run("brrestore", argv, store, None)

    def brrecover(self, argv: Sequence[str], *, store: BackintStore) -> BrResult:
        return self._run("brrecover", argv, store, None)

    @property
    def profile_path(self) -> str:
        return f"{self.env.get('ORACLE_HOME', '')}/dbs/init{self.sid}.sap"

    def profile(self) -> dict[str, str]:
        try:
            return read_profile(self.files.read(self.profile_path).decode())
        except OSError as exc:
            raise ConfigError(f"cannot read {self.profile_path}: {exc}", field="profile") from None

    def read_log(self, name: str) -> str:
        """A log by name: summary logs and BRBACKUP/BRRESTORE/BRRECOVER detail logs in
        sapbackup, BRARCHIVE's in saparch."""
        where = self.env.get("SAPARCH") if name.startswith(("a", "arch")) else None
        base = where or self.env.get("SAPBACKUP") or f"{self.env.get('SAPDATA_HOME')}/sapbackup"
        try:
            return self.files.read(f"{base}/{name}").decode()
        except OSError as exc:
            raise ConfigError(f"no BR*Tools log {name}: {exc}", field="log") from None
