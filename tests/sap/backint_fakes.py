"""A client host for backint tests: files in a dict, and a BRBACKUP peer that answers the
switch protocol of ``-t file_online`` by putting tablespaces into and out of backup mode."""

from __future__ import annotations

from dataclasses import dataclass, field

from apprm_ref.core.integrations.sap_store import RepoBackintStore
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository


def store() -> RepoBackintStore:
    return RepoBackintStore(SqlRepository(make_engine("sqlite://")))


@dataclass
class DictFiles:
    """HostFiles over a dict; ``unreadable`` paths fail with EIO; ``peer`` answers the
    semaphore (BRBACKUP's side) when backint waits on it."""

    data: dict[str, bytes] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    peer: object | None = None
    reads: list[str] = field(default_factory=list)

    def read(self, path: str) -> bytes:
        if path in self.unreadable:
            raise OSError(5, "I/O error", path)
        if path not in self.data:
            raise FileNotFoundError(2, "No such file", path)
        self.reads.append(path)
        if self.peer is not None and "/sapdata" in path:
            self.peer.copied_in_backup.append(path in self.peer.in_backup)  # type: ignore[attr-defined]
        return self.data[path]

    def write(self, path: str, data: bytes) -> None:
        if path in self.unreadable:
            raise OSError(5, "I/O error", path)
        self.data[path] = data

    def exists(self, path: str) -> bool:
        return path in self.data

    def remove(self, path: str) -> None:
        self.data.pop(path, None)

    def wait_gone(self, path: str) -> bool:
        if self.peer is not None:
            self.peer.serve(self)  # type: ignore[attr-defined]
        return path not in self.data


SAPBACKUP = "/oracle/PRD/sapbackup"


@dataclass
class SwitchPeer:
    """BRBACKUP's half of the switch handshake: BEGIN/END per file, a log of every request,
    ``refuse`` files whose BEGIN fails (ORA error), ``hang`` never deletes the semaphore."""

    in_backup: set[str] = field(default_factory=set)
    requests: list[list[str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    hang: bool = False
    copied_in_backup: list[bool] = field(default_factory=list)

    def serve(self, fs: DictFiles) -> None:
        if self.hang:
            return
        lines = fs.data[f"{SAPBACKUP}/.switch.lis"].decode().split("\n")
        lines = [x for x in lines if x]
        self.requests.append(lines)
        log = []
        for line in lines:
            words = line.split(None, 1)
            if len(words) == 1:
                continue  # the final request
            kw, path = words
            if kw == "#BEGIN" and path in self.refuse:
                log.append(f"#ERROR {path}")
            elif kw == "#BEGIN":
                self.in_backup.add(path)
            elif kw == "#END":
                self.in_backup.discard(path)
        fs.data[f"{SAPBACKUP}/.switch.log"] = ("\n".join(["#SUCCESS", *log]) + "\n").encode()
        del fs.data[f"{SAPBACKUP}/.switch.sem"]
