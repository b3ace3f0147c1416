"""The ``notes`` application: files on one mount point, protected like a filesystem; it is in
backup mode while its filesystem is frozen for the replica."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from apprm_ref.core.integrations.filesystem import FilesystemIntegration
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.persist import persistable


class NotesCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["notes"]
    name: str
    host: str
    mount: str


@persistable("demo.NotesApp")
@dataclass(eq=False)
class NotesApp:
    name: str
    host: str
    mount: str
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    kind = "notes"

    def attach(self, world: Any) -> None:
        self.world = world

    def data(self) -> dict[str, list[object]]:
        """Every note's content, read through the host (what the drill compares)."""
        hosts = self.world.hosts
        files = hosts.list_files(self.host, self.mount)
        return {path: list(hosts.read_file(self.host, path)) for path in files}

    def check_invariants(self) -> list[str]:
        mounts = self.world.hosts.host(self.host).mounts
        return [] if self.mount in mounts else [f"{self.mount} is not mounted on {self.host}"]


def build_notes(world: Any, cfg: NotesCfg) -> NotesApp:
    app: NotesApp = world.add_app(NotesApp(cfg.name, cfg.host, cfg.mount))
    return app


def in_backup_mode(app: NotesApp) -> bool:
    mount = app.world.hosts.host(app.host).mounts.get(app.mount)
    return bool(mount is not None and mount.frozen)


def erase_note(world: Any, failure: Any) -> str:
    app = world.app(failure.app)
    world.hosts.write_file(app.host, failure.file, {0: ("erased", failure.file)})
    return f"{failure.app}: erased_note {failure.file}"


class NotesDriver:
    def __init__(self, world: Any, name: str) -> None:
        self.world, self.name = world, name

    def capabilities(self) -> Capabilities:
        return Capabilities("notes", vendor="demo", model="notes-1")


class NotesIntegration(FilesystemIntegration):
    kind = "notes"
