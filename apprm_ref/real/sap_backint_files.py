"""Where backint reads and writes the client's files: a real host's filesystem.

:class:`LocalFiles` is the :class:`~apprm_ref.drivers.sap.HostFiles` of the console
program on a host: plain files, and a semaphore wait that polls until BRBACKUP deletes the
file (``switch_timeout`` seconds at most, then the round fails).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LocalFiles:
    poll: float = 0.2
    timeout: float = 600.0

    def read(self, path: str) -> bytes:
        return Path(path).read_bytes()

    def write(self, path: str, data: bytes) -> None:
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def exists(self, path: str) -> bool:
        return Path(path).exists()

    def remove(self, path: str) -> None:
        Path(path).unlink(missing_ok=True)

    def wait_gone(self, path: str) -> bool:
        deadline = time.monotonic() + self.timeout
        while Path(path).exists():
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll)
        return True
