"""diskshadow's backup session: ``add volume``, ``writer verify|exclude``, ``begin backup``,
``create``, ``end backup``, and ``expose``/``unexpose``, ``load metadata``/``import``.

``create`` drives the requester: InitializeForBackup, SetContext, SetBackupState (FULL after
``begin backup``, else COPY: VC-I24), GatherWriterMetadata, the components of every writer
not excluded whose files all lie on the added volumes, StartSnapshotSet, AddToSnapshotSet,
PrepareForBackup, DoSnapshotSet (on the world's clock). ``end backup`` marks each component
as its writer's state says and sends BackupComplete.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.vss import text
from apprm_ref.sim.vss.creation import run
from apprm_ref.sim.vss.models import Attr, BackupType, Component, WriterState
from apprm_ref.sim.vss.requester import BackupComponents, Phase
from apprm_ref.sim.vss.transport import import_snapshots

if TYPE_CHECKING:
    from apprm_ref.sim.vss.dshell import Diskshadow


def _error(msg: str) -> Exception:
    from apprm_ref.sim.vss.dshell import DsError

    return DsError(msg)


@dataclass
class BackupSession:
    ds: Diskshadow
    volumes: list[tuple[str, str, str]] = field(default_factory=list)  # (volume, alias, provider)
    verify: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    full: bool = False
    req: BackupComponents | None = None
    included: list[tuple[str, str, str]] = field(default_factory=list)  # writer id, path, name

    @property
    def created(self) -> bool:
        return self.req is not None

    @property
    def service(self) -> Any:
        return self.ds.service

    def begin(self) -> None:
        if self.full:
            raise _error("begin backup: a backup session is already in progress.")
        if self.created:
            raise _error("begin backup: the shadow copy set was already created.")
        self.full = True

    def add_volume(self, volume: str, alias: str, provider: str) -> None:
        if self.created:
            raise _error("add volume: the shadow copy set was already created; use reset.")
        ref = self.service.resolve(volume)  # the volume must exist and be supported now
        context = self.ds.context | self.ds.options
        if provider:
            p = self.service.provider(provider)
            if not p.are_luns_supported(self.service.world, ref.luns, context):
                raise _error(f"The volume {volume} is not supported by the provider {p.name}.")
        elif not self.service.supporting(ref, context):
            raise _error(f"The volume {volume} is not supported by any provider in this context.")
        if any(self.service.resolve(v).guid_path == ref.guid_path for v, _, _ in self.volumes):
            raise _error(f"The volume {volume} is already in the shadow copy set.")
        self.volumes.append((volume, alias, provider))

    def create(self) -> None:
        if self.created:
            raise _error("create: the shadow copy set was already created; use reset.")
        if not self.volumes:
            raise _error("create: no volume was added to the shadow copy set.")
        req = BackupComponents(self.service)
        try:
            self._run(req)
        except ApprmError:
            if req.phase in (Phase.SET_STARTED, Phase.PREPARED):
                req.abort_backup()
            self.req = None
            raise

    def _run(self, req: BackupComponents) -> None:
        ds = self.ds
        req.initialize_for_backup()
        req.set_context(ds.context | ds.options)
        for x in self.exclude:
            if ":" not in x:
                req.disable_writer(x)
        writers = not ds.context & Attr.NO_WRITERS
        req.set_backup_state(writers, False, BackupType.FULL if self.full else BackupType.COPY)
        req.gather_writer_metadata()
        self.req = req
        if writers:
            self._include(req)
        self._check_verify(req)
        req.start_snapshot_set()
        ids = [req.add_to_snapshot_set(v, p) for v, _, p in self.volumes]
        req.prepare_for_backup()
        job = run(req.do_snapshot_set())
        if not job.ok:
            self._report_failure(req)
        self._announce(req, ids)
        self._save_metadata(req)

    def _include(self, req: BackupComponents) -> None:
        guids = {self.service.resolve(v).guid_path for v, _, _ in self.volumes}
        for ident in req.identified:
            meta = ident.meta
            names = (meta.writer_id, meta.name.lower(), ident.writer.key.lower())
            if any(x.strip("{}").lower() in names for x in self.exclude):
                continue
            for comp in meta.components:
                path = f"{meta.name}:\\{comp.full_path}".lower()
                if any(x.lower() == path for x in self.exclude) or not _on(
                    self.service, comp, guids
                ):
                    continue
                req.add_component(meta.writer_id, comp.logical_path, comp.name)
                self.included.append((meta.writer_id, comp.logical_path, comp.name))

    def _check_verify(self, req: BackupComponents) -> None:
        for target in self.verify:
            want = target.strip("{}").lower()
            ok = False
            for wid, path, name in self.included:
                meta = next(i.meta for i in req.identified if i.meta.writer_id == wid)
                full = f"{meta.name}:\\{path}\\{name}" if path else f"{meta.name}:\\{name}"
                ok = ok or want in (wid, meta.name.lower(), full.lower())
            if not ok:
                req.release()
                self.req = None
                raise _error(
                    f'Writer "{target}" is not included in the shadow copy set; the backup fails.'
                )

    def _report_failure(self, req: BackupComponents) -> None:
        lines = []
        for w, st in req.writer_status():
            if st.state.failed and st.state != WriterState.FAILED_AT_IDENTIFY:
                name = next(i.meta.name for i in req.identified if i.writer.key == w.key)
                lines.append(_writer_failure(name, st.last_error))
        assert req.job is not None and req.job.error is not None
        req.release()
        self.req = None
        err = req.job.error
        lines.append(f'COM call "DoSnapshotSet" failed: {err.code}: {err.message}')
        raise _error("\n".join(lines))

    def _announce(self, req: BackupComponents, ids: list[str]) -> None:
        ds, n = self.ds, 1
        for (_, alias, _), sid in zip(self.volumes, ids, strict=True):
            if not alias:
                while ds.alias(f"VSS_SHADOW_{n}") is not None:
                    n += 1
                alias = f"VSS_SHADOW_{n}"
            ds.set_alias(alias, "{" + sid + "}")
            ds.print(f"Alias {alias} for shadow ID {{{sid}}} set as environment variable.")
        ds.set_alias("VSS_SHADOW_SET", "{" + req.set_id + "}")
        ds.print(
            f"Alias VSS_SHADOW_SET for shadow set ID {{{req.set_id}}} set as environment variable."
        )
        ds.print()
        ds.print(f"Querying all shadow copies with the shadow copy set ID {{{req.set_id}}}")
        ds.print()
        shadows = [self.service.shadows[s] for s in ids]
        ds.out.append(text.diskshadow_shadows(self.service, shadows, ds.aliases))

    def _save_metadata(self, req: BackupComponents) -> None:
        if self.ds.metadata:
            self.service.files[self.ds.metadata.upper()] = cab(req, self.ds.aliases)

    def end(self) -> None:
        """SetBackupSucceeded by writer state, then BackupComplete (FULL sessions only)."""
        if not self.full:
            raise _error("end backup: no backup session is in progress (use begin backup).")
        req = self.req
        if req is None:
            raise _error("end backup: no shadow copy set was created.")
        states = {w.key: st.state for w, st in req.writer_status()}
        for wid, path, name in self.included:
            key = next(i.writer.key for i in req.identified if i.meta.writer_id == wid)
            req.set_backup_succeeded(
                wid, path, name, states[key] == WriterState.WAITING_FOR_BACKUP_COMPLETE
            )
        req.backup_complete()
        self.full = False
        self._save_metadata(req)

    def release(self) -> None:
        if self.req is not None:
            self.req.release()


def _on(service: Any, comp: Component, guids: set[str]) -> bool:
    """Every file spec of the component lies on one of the added volumes."""
    if not comp.files:
        return False
    for f in comp.files:
        try:
            if service.volume_of_path(f.path).guid_path not in guids:
                return False
        except ApprmError:  # not on a mounted volume of this host
            return False
    return True


def _writer_failure(name: str, code: str) -> str:
    """diskshadow's words for a failed writer (inferred wording)."""
    if code in (
        "VSS_E_WRITERERROR_RETRYABLE",
        "VSS_E_WRITERERROR_TIMEOUT",
        "VSS_E_WRITERERROR_OUTOFRESOURCES",
    ):
        return (
            f'Writer "{name}" experienced a transient error.  If the backup process is retried,\n'
            "the error may not reoccur."
        )
    return f'Writer "{name}" experienced a non-transient error ({code}).'


def cab(req: BackupComponents, aliases: dict[str, str]) -> str:
    """The metadata file: the BCD, every WMD and the aliases (the real .cab is a cabinet)."""
    root = ET.Element("DISKSHADOW_METADATA")
    ET.SubElement(root, "BCD").text = req.save_as_xml()
    for _, wmd in req.writer_metadata():
        ET.SubElement(root, "WMD").text = wmd
    for name, value in sorted(aliases.items()):
        ET.SubElement(root, "ALIAS", {"name": name, "value": value})
    return ET.tostring(root, encoding="unicode")


def load_metadata(ds: Diskshadow, args: list[str]) -> None:
    if len(args) != 2 or args[0].lower() != "metadata":
        raise _error("load metadata <file.cab>: the syntax is incorrect.")
    body = _read_file(ds, args[1])
    root = ET.fromstring(body)
    ds.loaded = root.findtext("BCD") or ""
    for el in root.findall("ALIAS"):
        name, value = el.get("name", ""), el.get("value", "")
        ds.set_alias(name, value)
        what = "shadow set ID" if name == "VSS_SHADOW_SET" else "shadow ID"
        ds.print(f"Alias {name} for {what} {value} set as environment variable.")


def _read_file(ds: Diskshadow, path: str) -> str:
    """A path on this host, or ``\\\\host\\C$\\...`` on another host running VSS."""
    from apprm_ref.sim.vss.service import all_services

    svc: Any = ds.service
    local = path
    if path.startswith("\\\\"):
        host, _, rest = path[2:].partition("\\")
        share, _, tail = rest.partition("\\")
        local = f"{share.replace('$', ':')}\\{tail}"
        svc = next(
            (s for s in all_services(ds.service.world) if s.host.lower() == host.lower()), None
        )
    if svc is None or local.upper() not in svc.files:
        raise _error(f"The file {path} could not be found.")
    return str(svc.files[local.upper()])


def import_set(ds: Diskshadow, args: list[str]) -> None:
    if args:
        raise _error("import: the syntax is incorrect.")
    if not ds.loaded:
        raise _error("import: load the metadata first (load metadata <file.cab>).")
    imported = import_snapshots(ds.service, ds.loaded)
    ds.print(
        f"The shadow copy set {{{imported[0].set_id}}} was imported: {len(imported)} shadow copies."
    )


def _shadow_id(ds: Diskshadow, token: str) -> str:
    return token.strip("{}").lower()


def expose(ds: Diskshadow, args: list[str]) -> None:
    if len(args) != 2:
        raise _error("expose <shadowID> {<drive:> | <mountpoint>}: the syntax is incorrect.")
    target = args[1]
    if target.startswith("\\\\") or (":" not in target):
        raise _error(f"expose {target}: exposing a shadow copy as a share is not simulated.")
    path = ds.service.expose(_shadow_id(ds, args[0]), target)
    ds.print(
        f"The shadow copy was successfully exposed as {path.rstrip(chr(92)) if len(path) > 3 else path}."
    )


def unexpose(ds: Diskshadow, args: list[str]) -> None:
    if len(args) != 1:
        raise _error("unexpose <shadowID | drive: | mountpoint>: the syntax is incorrect.")
    token = args[0]
    sc = next(
        (
            s
            for s in ds.service.shadows.values()
            if s.shadow_id == _shadow_id(ds, token)
            or (s.exposed and s.exposed.upper().rstrip("\\") == token.upper().rstrip("\\"))
        ),
        None,
    )
    if sc is None or not sc.exposed:
        raise _error(f"unexpose {token}: no shadow copy is exposed there.")
    where = sc.exposed
    ds.service.unexpose(sc.shadow_id)
    ds.print(f"The shadow copy {{{sc.shadow_id}}} exposed as {where} was unexposed.")
