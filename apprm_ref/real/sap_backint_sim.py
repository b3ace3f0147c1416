"""The product's SAP programs on a simulated estate: the client's files on a simulated host,
and the simulator's BR*Tools run in-process as the ``sim-sap`` driver.

A simulated file is a tuple of block payloads; backint moves it as bytes, so a data file
travels as ``APPRM-BLOCKS`` + the payloads in the world's plain-data encoding, and a text
file (one block holding a string: profiles, lists, logs) as its text. Restoring a file
that is gone (an archived log deleted from disk) creates it again with its length.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apprm_ref import persist
from apprm_ref.errors import ApprmError
from apprm_ref.real.sap_backint_runner import ProductPrograms
from apprm_ref.real.sap_brtools import BrToolsDriver

MAGIC = b"APPRM-BLOCKS\n"


@dataclass
class SimHostFiles:
    """:class:`~apprm_ref.drivers.sap.HostFiles` on one host of the simulated world."""

    hosts: Any  # the world's host backend
    host: str

    def exists(self, path: str) -> bool:
        try:
            return bool(self.hosts.file_exists(self.host, path))
        except ApprmError:
            return False

    def read(self, path: str) -> bytes:
        if not self.exists(path):
            raise FileNotFoundError(2, "No such file or directory", path)
        try:
            blocks = tuple(self.hosts.read_file(self.host, path))
        except ApprmError as exc:
            raise OSError(5, f"I/O error: {exc.message}", path) from None
        if len(blocks) == 1 and isinstance(blocks[0], str):
            return blocks[0].encode()
        return MAGIC + json.dumps(persist.dump(list(blocks)), sort_keys=True).encode()

    def write(self, path: str, data: bytes) -> None:
        if data.startswith(MAGIC):
            blocks = list(persist.load(json.loads(data[len(MAGIC) :])))
        else:
            blocks = [data.decode()]
        try:
            if self.exists(path) and len(self.hosts.read_file(self.host, path)) != len(blocks):
                self.hosts.delete_file(self.host, path)
            if not self.exists(path):
                self.hosts.create_file(self.host, path, max(1, len(blocks)))
            self.hosts.write_file(self.host, path, dict(enumerate(blocks)))
        except ApprmError as exc:
            raise OSError(5, f"cannot write: {exc.message}", path) from None

    def remove(self, path: str) -> None:
        if self.exists(path):
            self.hosts.delete_file(self.host, path)

    def wait_gone(self, path: str) -> bool:
        return not self.exists(path)  # nobody else runs in this process to delete it


@dataclass
class SimBrTools:
    """The simulator's BR*Tools of one SAP system, started with the product's programs."""

    world: Any
    name: str  # the SAP system's application name

    def run_with(self, argv: Sequence[str], programs: ProductPrograms) -> tuple[int, str, str]:
        from apprm_ref.sim.sap.tools import TOOLS, run_tool

        tool = argv[0].rsplit("/", 1)[-1] if argv else ""
        if tool not in TOOLS:
            return 127, "", f"{tool or '?'}: not found\n"
        res = run_tool(tool, self.world.app(self.name), list(argv[1:]), programs)
        return res.rc, res.out, ""

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        return 127, "", "BR*Tools of the simulator run only with the product's programs\n"


def sim_sap_driver(world: Any, name: str) -> BrToolsDriver:
    """The ``sim-sap`` driver: :class:`BrToolsDriver` over the simulator's BR*Tools."""
    sap = world.app(name)
    env = {
        "ORACLE_SID": sap.sid,
        "ORACLE_HOME": sap.oracle_home,
        "SAPDATA_HOME": sap.sapdata_home,
        "SAPBACKUP": sap.sapbackup,
        "SAPARCH": sap.saparch,
    }
    return BrToolsDriver(sap.sid, SimBrTools(world, name), SimHostFiles(world.hosts, sap.host), env)


def sap_in_backup_mode(sap: Any) -> bool:
    """The SAP kind's backup-mode probe: that of the Oracle database it runs on."""
    from apprm_ref.sim.oracle.persisted import oracle_in_backup_mode

    return bool(oracle_in_backup_mode(sap.db))
