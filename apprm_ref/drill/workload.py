"""Write workloads applied in epochs, so a simulated week costs hundreds of events, not millions.

A filesystem workload writes ``rate`` changed blocks per simulated hour into the files under
the spec's mount points, from the world's ``workload:<name>`` stream. A write refused by
the host (frozen filesystem, host down, not mounted) is skipped and traced, as an
application would block and retry. A database backend (``apply_workload(n)`` or
``workload(n)``) commits ``n`` transactions per epoch itself.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from apprm_ref.errors import ApprmError

EPOCH = 900.0  # seconds between workload applications
DEFAULT_RATE = 20.0  # changes per hour
NEW_FILE_EXTENTS = 4


@dataclass
class Workload:
    name: str
    rate: float = DEFAULT_RATE
    running: bool = True
    written: int = 0
    counter: int = 0
    process: Any = field(default=None, repr=False)


class Workloads:
    def __init__(
        self, world: Any, specs: list[Any], note: Callable[..., None], epoch: float = EPOCH
    ) -> None:
        self.world = world
        self.epoch = epoch  # seconds between applications (what-if planning uses an hour)
        self.specs = {s.name: s for s in specs}
        self.note = note  # trace callback: note(kind, **data)
        self.active: dict[str, Workload] = {}

    def control(self, name: str, action: str, rate: float | None) -> None:
        if name not in self.specs and name not in self.world.apps:
            raise ApprmError(f"no spec or application named {name!r} to run a workload on")
        wl = self.active.get(name)
        if action == "stop":
            if wl is not None:
                wl.running = False
            return
        if wl is None or not wl.running:
            wl = Workload(name, rate or DEFAULT_RATE)
            self.active[name] = wl
            wl.process = self.world.env.process(self._loop(wl))
        elif rate is not None:
            wl.rate = rate

    def _loop(self, wl: Workload) -> Generator[simpy.Event, Any, None]:
        carry = 0.0
        while wl.running:
            yield self.world.env.timeout(self.epoch)
            if not wl.running:
                return
            carry += wl.rate * self.epoch / 3600.0
            n, carry = int(carry), carry - int(carry)
            if n:
                self._apply(wl, n)

    def _apply(self, wl: Workload, n: int) -> None:
        app = self.world.apps.get(wl.name)
        try:
            if app is not None:
                fn = getattr(app, "apply_workload", None) or getattr(app, "workload", None)
                fn(n)  # a database: n commits in one redo batch
            else:
                self._write_files(wl, self.specs[wl.name], n)
            wl.written += n
        except ApprmError as exc:
            self.note("workload.blocked", workload=wl.name, reason=str(exc))

    def _write_files(self, wl: Workload, spec: Any, n: int) -> None:
        hosts, host = self.world.hosts, spec.application_system
        rnd = self.world.streams.get(f"workload:{wl.name}")
        files = [f for mp in spec.objects for f in hosts.list_files(host, mp)]
        if not files:
            path = spec.objects[0].rstrip("/") + "/workload.dat"
            hosts.create_file(host, path, NEW_FILE_EXTENTS)
            files = [path]
        batches: dict[str, dict[int, Any]] = {}
        for _ in range(n):
            path = files[rnd.randrange(len(files))]
            mnt, rel = hosts.mount_of(host, path)
            wl.counter += 1
            block = rnd.randrange(mnt.files[rel].length)
            batches.setdefault(path, {})[block] = ("wl", wl.name, wl.counter)
        for path in sorted(batches):
            hosts.write_file(host, path, batches[path])
