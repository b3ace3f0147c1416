"""The product's programs as BR*Tools start them: ``backint`` and the split command.

:class:`ProductPrograms` is the :class:`~apprm_ref.real.runner.CommandRunner` handed to
BR*Tools that run in the same process (the simulator's): ``backint`` runs the BC-BRI
program on the session's store and the client's files; the program named by ``split_cmd``
(and ``resync_cmd``) calls the session back with the files of the list its ``$`` names
(SAP-10). ``run_switching`` serves BRBACKUP's side of the ``file_online`` rounds while
backint waits on the semaphore.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from apprm_ref.drivers.sap import BackintStore, HostFiles, SplitCallback
from apprm_ref.real import sap_backint

BACKINT = "backint"
SPLIT_PROGRAMS = ("splitint", "apprm-split")  # the product's split command (split_cmd)
RESYNC_ARG = "-resync"


def program(argv: Sequence[str]) -> str:
    return argv[0].rsplit("/", 1)[-1] if argv else ""


@dataclass
class Serving:
    """HostFiles whose semaphore wait lets BRBACKUP act (one process: it cannot poll)."""

    inner: HostFiles
    serve: Callable[[], bool]
    limit: int = 10_000

    def read(self, path: str) -> bytes:
        return self.inner.read(path)

    def write(self, path: str, data: bytes) -> None:
        self.inner.write(path, data)

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def remove(self, path: str) -> None:
        self.inner.remove(path)

    def wait_gone(self, path: str) -> bool:
        for _ in range(self.limit):
            if not self.inner.exists(path):
                return True
            if not self.serve():
                return not self.inner.exists(path)
        return False


@dataclass
class ProductPrograms:
    store: BackintStore
    files: HostFiles
    split: SplitCallback | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    calls: list[tuple[str, ...]] = field(default_factory=list)  # every program started

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        return self._run(argv, self.files)

    def run_switching(self, argv: Sequence[str], serve: Callable[[], bool]) -> tuple[int, str, str]:
        return self._run(argv, Serving(self.files, serve))

    def _run(self, argv: Sequence[str], files: HostFiles) -> tuple[int, str, str]:
        self.calls.append(tuple(argv))
        name = program(argv)
        if name == BACKINT:
            return sap_backint.run(argv[1:], store=self.store, files=files, env=self.env)
        if name in SPLIT_PROGRAMS:
            return self._split(argv)
        return 127, "", f"{argv[0] if argv else '?'}: not found\n"

    def _split(self, argv: Sequence[str]) -> tuple[int, str, str]:
        """``splitint [-resync] <list>``: the list file names the files to split."""
        args = list(argv[1:])
        resync = RESYNC_ARG in args
        args = [a for a in args if a != RESYNC_ARG]
        if len(args) != 1:
            return 2, "", f"{program(argv)}: usage: {program(argv)} [-resync] <file list>\n"
        if resync:
            return 0, "#INFO resynchronisation is done by the product after the backup\n", ""
        if self.split is None:
            return 2, "", f"{program(argv)}: no backup session is waiting for a split\n"
        try:
            listed = self.files.read(args[0]).decode()
        except OSError as exc:
            return 2, "", f"{program(argv)}: cannot read {args[0]}: {exc}\n"
        rc, out = self.split([ln.strip() for ln in listed.splitlines() if ln.strip()])
        return rc, out, ""
