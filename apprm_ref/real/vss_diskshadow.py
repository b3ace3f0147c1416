"""A real VSS driver (``apprm_ref.drivers.vss.VssDriver``) for a Windows host driven through
``vssadmin`` and ``diskshadow`` over the command-runner seam (``real/runner.py``).

What a script can do is served: the writers and their state (``vssadmin list writers``), the
writers' metadata (``diskshadow`` ``list writers detailed``), and a shadow-copy set the
host's hardware provider makes: the requester calls are collected and run as one script at
the commit — ``set context persistent``, ``set option transportable``/``plex``/``differential``,
``begin backup`` (a FULL backup; without it diskshadow makes a COPY, VC-I24), ``writer
verify`` per chosen component, ``add volume`` per volume, ``create`` and ``end backup``
(diskshadow sends BackupComplete there, so ``backup_complete`` only confirms it). Refused,
never faked: targets made by the product itself (a script cannot hand replicas to VSS inside
its hold window), restore events (``begin/end restore``) and ``BreakSnapshotSet``, which
diskshadow's ``break`` gives and a real host would run (the simulator's door refuses it).

A script goes to the host as a file (``write_file``, the agent runs on the host itself) and is
run with ``diskshadow /s <file>``; diskshadow's exit code 0 is success (non-zero codes are
inferred to mean failure, protocols.md §5.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.vss import (
    DIFFERENTIAL,
    PERSISTENT,
    PLEX,
    TRANSPORTABLE,
    ShadowInfo,
    WriterInfo,
)
from apprm_ref.errors import VssError
from apprm_ref.real import vss_diskshadow_text as T
from apprm_ref.real.runner import CommandRunner
from apprm_ref.types import TargetVolume

SCRIPT_DIR = "C:\\apprm\\vss"


def _bad_state(call: str, phase: str) -> VssError:
    return VssError(f"{call} is out of order: the requester is {phase}", code="VSS_E_BAD_STATE")


@dataclass
class ScriptedBackup:
    """One requester whose calls become one diskshadow script, run at the commit."""

    host: str
    runner: CommandRunner
    write_file: Callable[[str, str], None]
    serial: int
    phase: str = "new"
    context: int = 0
    backup_type: str = "full"
    writers: dict[str, str] = field(default_factory=dict)  # writer id -> name
    known: dict[str, set[str]] = field(default_factory=dict)  # writer id -> component paths
    components: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    created: list[ShadowInfo] = field(default_factory=list)

    def _step(self, call: str, expect: tuple[str, ...], to: str | None = None) -> None:
        if self.phase not in expect:
            raise _bad_state(call, self.phase)
        if to is not None:
            self.phase = to

    def initialize_for_backup(self) -> None:
        self._step("InitializeForBackup", ("new",), "initialized")

    def set_context(self, attributes: int) -> None:
        self._step("SetContext", ("initialized",))
        if not attributes & PERSISTENT:
            raise VssError(
                "only persistent shadow copies outlive a diskshadow script", code="E_INVALIDARG"
            )
        self.context = attributes

    def set_backup_state(self, select_components: bool, backup_type: str) -> None:
        self._step("SetBackupState", ("initialized",))
        if backup_type not in ("full", "copy"):
            # diskshadow has only FULL (begin backup) or COPY (VSS-11); refused, unchanged
            raise VssError(f"diskshadow makes no {backup_type} backup", code="E_INVALIDARG")
        self.backup_type, self.phase = backup_type, "state set"

    def gather_writer_metadata(self) -> list[WriterInfo]:
        self._step("GatherWriterMetadata", ("state set",), "gathered")
        found = T.diskshadow_metadata(self._run(["list writers detailed"], "meta"))
        status = {w.writer_id: w for w in self._vssadmin()}
        out = []
        for w in found:
            st = status.get(w.writer_id)
            self.writers[w.writer_id] = w.name
            self.known[w.writer_id] = {c.full_path for c in w.components}
            out.append(
                WriterInfo(
                    w.writer_id, w.name, st.instance_id if st else "", st.state if st else 0,
                    st.state_text if st else "", st.last_error if st else "",
                    components=w.components,
                )
            )  # fmt: skip
        return out

    def add_component(self, writer_id: str, logical_path: str, name: str) -> None:
        self._step("AddComponent", ("gathered",))
        writer = self.writers.get(writer_id)
        if writer is None:
            raise VssError(f"no writer {{{writer_id}}} gathered", code="VSS_E_OBJECT_NOT_FOUND")
        path = f"{logical_path}\\{name}" if logical_path else name
        if path not in self.known.get(writer_id, set()):
            raise VssError(f"{writer} has no component {path}", code="VSS_E_OBJECT_NOT_FOUND")
        chosen = f'"{writer}:\\{path}"'
        if chosen in self.components:
            raise VssError(f"component {path} already added", code="VSS_E_OBJECT_ALREADY_EXISTS")
        self.components.append(chosen)

    def start_snapshot_set(self) -> str:
        self._step("StartSnapshotSet", ("gathered",), "set started")
        return ""  # diskshadow names the set when it creates it

    def add_to_snapshot_set(self, volume: str) -> str:
        self._step("AddToSnapshotSet", ("set started",))
        self.volumes.append(volume.rstrip("\\"))
        return ""

    def prepare_for_backup(self) -> None:
        self._step("PrepareForBackup", ("set started",), "prepared")

    def do_snapshot_set(self) -> float:
        self._step("DoSnapshotSet", ("prepared",), "creating")
        return 0.0  # diskshadow runs the whole creation in ``create``: no wait here

    def freeze(self) -> float:
        self._step("Freeze", ("creating",))
        return 0.0

    def abandon(self) -> None:
        if self.phase == "creating":
            self.phase = "aborted"  # nothing ran on the host yet

    def commit(self, targets: Sequence[TargetVolume] | None) -> float:
        self._step("commit", ("creating",))
        if targets is not None:
            raise VssError(
                "diskshadow cannot take replicas the product made: the host's hardware "
                "provider makes them in its own commit",
                code="E_NOTIMPL",
            )
        self.created = T.diskshadow_shadows(self._run(self._script(), "backup"))
        if not self.created:
            raise VssError("diskshadow created no shadow copy", code="VSS_E_UNEXPECTED")
        self.phase = "created"
        return 0.0

    def _script(self) -> list[str]:
        opts = [
            n for bit, n in ((TRANSPORTABLE, "transportable"), (PLEX, "plex")) if self.context & bit
        ]
        if self.context & DIFFERENTIAL:
            opts.insert(0, "differential")
        lines = ["set context persistent"]
        if opts:
            lines.append(f"set option {' '.join(opts)}")
        if self.backup_type == "full":
            lines.append("begin backup")
        lines += [f"writer verify {c}" for c in self.components]
        lines += [f"add volume {v} alias APPRM{i}" for i, v in enumerate(self.volumes, 1)]
        lines.append("create")
        if self.backup_type == "full":
            lines.append("end backup")
        return lines

    def _run(self, lines: list[str], what: str) -> str:
        path = f"{SCRIPT_DIR}\\{what}{self.serial}.dsh"
        self.write_file(path, "\n".join(lines) + "\n")
        rc, out, err = self.runner.run(["diskshadow", "/s", path])
        if rc != 0:
            last = (err or out).strip().splitlines()[-1:] or [f"exit code {rc}"]
            raise VssError(f"diskshadow on {self.host}: {last[0]}", code="VSS_E_UNEXPECTED")
        return out

    def _vssadmin(self) -> list[WriterInfo]:
        return vssadmin_writers(self.runner, self.host)

    def writer_status(self) -> list[WriterInfo]:
        return self._vssadmin()

    def set_backup_succeeded(self, writer_id: str, logical_path: str, name: str, ok: bool) -> None:
        self._step("SetBackupSucceeded", ("created",))
        if not ok:
            raise VssError(
                "diskshadow's end backup marks components by their writers' state; one cannot "
                "be marked unsuccessful",
                code="E_NOTIMPL",
            )

    def backup_complete(self) -> None:
        self._step("BackupComplete", ("created",), "completed")
        if self.backup_type != "full":
            raise _bad_state("BackupComplete after a COPY backup", "copy")

    def abort_backup(self) -> None:
        self.phase = "aborted"

    def save_as_xml(self) -> str:
        return ""  # the BCD stays in diskshadow's metadata .cab on the host

    def shadows(self) -> list[ShadowInfo]:
        return list(self.created)

    def release(self) -> None:
        self.phase = "released"


def vssadmin_writers(runner: CommandRunner, host: str) -> list[WriterInfo]:
    rc, out, err = runner.run(["vssadmin", "list", "writers"])
    if rc != 0:
        raise VssError(f"vssadmin on {host}: {(err or out).strip()}", code="VSS_E_UNEXPECTED")
    return T.vssadmin_writers(out)


@dataclass
class DiskshadowVssDriver:
    """``VssDriver`` over one command runner (and file writer) per Windows host."""

    runners: Mapping[str, CommandRunner]
    write_files: Mapping[str, Callable[[str, str], None]]
    name: str = "vss-diskshadow"
    serial: int = 0

    def capabilities(self) -> Capabilities:
        """What a script serves: writers, metadata and a provider-made set (no features)."""
        return Capabilities("vss", vendor="Microsoft", model="diskshadow")

    def _runner(self, host: str) -> CommandRunner:
        try:
            return self.runners[host]
        except KeyError:
            raise VssError(
                f"no command runner for host {host}", code="VSS_E_OBJECT_NOT_FOUND"
            ) from None

    def backup(self, host: str) -> ScriptedBackup:
        self.serial += 1
        return ScriptedBackup(host, self._runner(host), self.write_files[host], self.serial)

    def restore(self, host: str, bcd_xml: str, wmd_xml: Sequence[str]) -> object:
        raise VssError(
            "restore events through diskshadow (begin/end restore) are not implemented by this "
            "driver",
            code="E_NOTIMPL",
        )

    def writers(self, host: str) -> list[WriterInfo]:
        return vssadmin_writers(self._runner(host), host)

    def forget_set(self, host: str, set_id: str) -> None:
        rc, out, err = self._runner(host).run(["diskshadow", "/s", self._break(host, set_id)])
        if rc != 0:
            raise VssError(
                f"diskshadow break {{{set_id}}}: {(err or out).strip()}", code="E_NOTIMPL"
            )

    def _break(self, host: str, set_id: str) -> str:
        self.serial += 1
        path = f"{SCRIPT_DIR}\\break{self.serial}.dsh"
        self.write_files[host](path, f"break {{{set_id}}}\n")
        return path
