"""The Writer Metadata Document and the Backup Components Document as XML, in the element and
attribute spellings of real documents (protocols.md §5.2–5.3 with sap-vss-addendum.md VSS-1
to VSS-4: ``RESTORE_IF_CAN_BE_REPLACED``, ``EXCLUDE_FILES`` under ``BACKUP_LOCATIONS``, one
``FILE_GROUP`` per SQL database, ``componentType="filegroup"``, ``BACKUP_METADATA``).

Parsing is lenient as Microsoft advises (the schema is private): unknown elements and
attributes are ignored and ``RESTORE_METHOD`` may come before or after ``BACKUP_LOCATIONS``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from apprm_ref.sim.vss.errors import vss_error
from apprm_ref.sim.vss.models import (
    METHOD_FROM_XML,
    BackupType,
    Component,
    FileRestoreStatus,
    FileSpec,
    ShadowCopy,
    WriterMetadata,
)

WMD_NS = "x-schema:#VssWriterMetadataInfo"
BCD_NS = "x-schema:#VssComponentMetadata"


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"


def _is_yes(value: str | None) -> bool:
    return (value or "").lower() == "yes"


# --- WMD -----------------------------------------------------------------------------------


def wmd_xml(meta: WriterMetadata, instance_id: str) -> str:
    root = ET.Element("WRITER_METADATA", {"xmlns": WMD_NS, "version": "1.2"})
    if meta.backup_schema:
        root.set("backupSchema", str(meta.backup_schema))
    ident = {"writerId": meta.writer_id, "instanceId": instance_id}
    if meta.instance_name:
        ident["instanceName"] = meta.instance_name
    ident |= {"friendlyName": meta.name, "usage": meta.usage, "dataSource": meta.data_source}
    ET.SubElement(root, "IDENTIFICATION", ident)
    locations = ET.SubElement(root, "BACKUP_LOCATIONS")
    for comp in meta.components:
        _component(locations, comp)
    for ex in meta.excluded:
        ET.SubElement(locations, "EXCLUDE_FILES", _spec_attrs(ex, recursive=True))
    method = {"method": meta.restore_method.xml}
    if meta.service:
        method["service"] = meta.service
    method |= {"writerRestore": meta.writer_restore, "rebootRequired": _yn(meta.reboot_required)}
    rm = ET.SubElement(root, "RESTORE_METHOD", method)
    for alt in meta.alternate_mappings:
        attrs = _spec_attrs(alt, recursive=True) | {"alternatePath": alt.alternate_path}
        ET.SubElement(rm, "ALTERNATE_LOCATION_MAPPING", attrs)
    return ET.tostring(root, encoding="unicode")


def _spec_attrs(spec: FileSpec, *, recursive: bool) -> dict[str, str]:
    attrs = {"path": spec.path, "filespec": spec.filespec}
    if recursive:
        attrs["recursive"] = _yn(spec.recursive)
    return attrs


def _component(parent: ET.Element, comp: Component) -> None:
    attrs = {"logicalPath": comp.logical_path} if comp.logical_path else {}
    attrs["componentName"] = comp.name
    if comp.caption:
        attrs["caption"] = comp.caption
    attrs |= {
        "restoreMetadata": _yn(comp.restore_metadata),
        "notifyOnBackupComplete": _yn(comp.notify_on_backup_complete),
        "selectable": _yn(comp.selectable),
        "selectableForRestore": _yn(comp.selectable_for_restore),
        "componentFlags": str(comp.flags),
    }
    el = ET.SubElement(parent, "DATABASE" if comp.database else "FILE_GROUP", attrs)
    for spec in comp.files:
        if comp.database:
            tag = "DATABASE_LOGFILES" if spec.log else "DATABASE_FILES"
            a = _spec_attrs(spec, recursive=False)
        else:
            tag, a = "FILE_LIST", _spec_attrs(spec, recursive=True)
        a["filespecBackupType"] = str(spec.backup_type_mask)
        ET.SubElement(el, tag, a)


def _parse(text: str) -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise vss_error("VSS_E_INVALID_XML_DOCUMENT", f"not an XML document: {exc}") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_wmd(text: str) -> tuple[WriterMetadata, str]:
    """(metadata, instance ID) of a WMD; refuses a document without IDENTIFICATION."""
    root = _parse(text)
    if _local(root.tag) != "WRITER_METADATA":
        raise vss_error("VSS_E_INVALID_XML_DOCUMENT", f"root is {_local(root.tag)}")
    kids = {_local(c.tag): c for c in root}
    ident, method = kids.get("IDENTIFICATION"), kids.get("RESTORE_METHOD")
    if ident is None:
        raise vss_error("VSS_E_INVALID_XML_DOCUMENT", "WMD without IDENTIFICATION")
    locations = kids.get("BACKUP_LOCATIONS")
    comps, excluded = [], []
    for el in [] if locations is None else list(locations):
        tag = _local(el.tag)
        if tag in ("FILE_GROUP", "DATABASE"):
            comps.append(_parse_component(el))
        elif tag == "EXCLUDE_FILES":
            excluded.append(_parse_spec(el))
    alts = () if method is None else tuple(_parse_spec(a) for a in method)
    m = {} if method is None else method.attrib
    meta = WriterMetadata(
        writer_id=ident.get("writerId", ""),
        name=ident.get("friendlyName", ""),
        usage=ident.get("usage", "OTHER"),
        data_source=ident.get("dataSource", "OTHER"),
        instance_name=ident.get("instanceName", ""),
        components=tuple(comps),
        restore_method=METHOD_FROM_XML.get(m.get("method", ""), METHOD_FROM_XML["UNDEFINED"]),
        writer_restore=m.get("writerRestore", "never"),
        reboot_required=_is_yes(m.get("rebootRequired")),
        service=m.get("service", ""),
        backup_schema=int(root.get("backupSchema", "0")),
        excluded=tuple(excluded),
        alternate_mappings=alts,
    )
    return meta, ident.get("instanceId", "")


def _parse_spec(el: ET.Element, log: bool = False) -> FileSpec:
    return FileSpec(
        path=el.get("path", ""),
        filespec=el.get("filespec", ""),
        recursive=_is_yes(el.get("recursive")),
        log=log,
        alternate_path=el.get("alternatePath", ""),
        backup_type_mask=int(el.get("filespecBackupType", "3855")),
    )


def _parse_component(el: ET.Element) -> Component:
    files = tuple(
        _parse_spec(f, log=_local(f.tag) == "DATABASE_LOGFILES")
        for f in el
        if _local(f.tag) in ("FILE_LIST", "DATABASE_FILES", "DATABASE_LOGFILES")
    )
    return Component(
        logical_path=el.get("logicalPath", ""),
        name=el.get("componentName", ""),
        database=_local(el.tag) == "DATABASE",
        files=files,
        caption=el.get("caption", ""),
        selectable=_is_yes(el.get("selectable")),
        selectable_for_restore=_is_yes(el.get("selectableForRestore")),
        notify_on_backup_complete=_is_yes(el.get("notifyOnBackupComplete")),
        restore_metadata=_is_yes(el.get("restoreMetadata")),
        flags=int(el.get("componentFlags", "0")),
    )


# --- BCD -----------------------------------------------------------------------------------


@dataclass
class BcdComponent:
    logical_path: str
    name: str
    database: bool = False
    backup_succeeded: bool | None = None
    backup_stamp: str = ""
    metadata: str = ""  # BACKUP_METADATA, base64, private to the writer
    selected_for_restore: bool = False
    additional_restores: bool = False
    file_restore_status: FileRestoreStatus = FileRestoreStatus.UNDEFINED

    @property
    def full_path(self) -> str:
        return f"{self.logical_path}\\{self.name}" if self.logical_path else self.name


@dataclass
class BcdWriter:
    writer_id: str
    instance_id: str
    instance_name: str = ""
    backup_schema: int = 0
    backup_type: BackupType = BackupType.FULL  # after degradation (VC-P7)
    components: list[BcdComponent] = field(default_factory=list)


@dataclass
class Bcd:
    backup_type: BackupType = BackupType.FULL
    select_components: bool = True
    bootable_system_state: bool = False
    partial_file_support: bool = False
    snapshot_set_id: str = ""
    writers: list[BcdWriter] = field(default_factory=list)
    shadows: list[ShadowCopy] = field(default_factory=list)  # a transportable set's description

    def writer(self, writer_id: str) -> BcdWriter | None:
        return next((w for w in self.writers if w.writer_id == writer_id), None)


def bcd_xml(bcd: Bcd) -> str:
    root = ET.Element(
        "BACKUP_COMPONENTS",
        {
            "xmlns": BCD_NS,
            "version": "1.2",
            "bootableSystemStateBackup": _yn(bcd.bootable_system_state),
            "selectComponents": _yn(bcd.select_components),
            "backupType": bcd.backup_type.xml,
            "partialFileSupport": _yn(bcd.partial_file_support),
            "snapshotSetId": bcd.snapshot_set_id,
        },
    )
    for w in bcd.writers:
        attrs = {"instanceId": w.instance_id, "writerId": w.writer_id}
        if w.instance_name:
            attrs["instanceName"] = w.instance_name
        attrs["backupSchema"] = str(w.backup_schema)
        if w.backup_type != bcd.backup_type:
            attrs["backupType"] = w.backup_type.xml  # the degraded type (inferred attribute)
        wel = ET.SubElement(root, "WRITER_COMPONENTS", attrs)
        for c in w.components:
            _bcd_component(wel, c)
    if bcd.shadows:
        _describe(root, bcd)
    return ET.tostring(root, encoding="unicode")


# SNAPSHOT_SET_DESCRIPTION: what an importing host needs (the element and attribute names are
# inferred, protocols.md §5.3; the content is the VSS_SNAPSHOT_PROP fields and the LUN map)
_SC_ATTRS = (
    ("snapshotId", "shadow_id"),
    ("originalVolumeName", "volume"),
    ("originalVolumeLabel", "volume_label"),
    ("providerId", "provider_id"),
    ("originatingMachine", "originating_machine"),
    ("serviceMachine", "service_machine"),
    ("replicaKind", "kind"),
)


def _describe(root: ET.Element, bcd: Bcd) -> None:
    first = bcd.shadows[0]
    desc = ET.SubElement(
        root,
        "SNAPSHOT_SET_DESCRIPTION",
        {"snapshotSetId": first.set_id, "context": str(first.attributes & 0xFFFF)},
    )
    for sc in bcd.shadows:
        attrs = {xml: str(getattr(sc, name)) for xml, name in _SC_ATTRS}
        attrs |= {"snapshotAttributes": str(sc.attributes), "creationTime": repr(sc.created_at)}
        el = ET.SubElement(desc, "SNAPSHOT_DESCRIPTION", attrs)
        lm = ET.SubElement(el, "LUN_MAPPING")
        ET.SubElement(lm, "SOURCE_LUN", {"array": sc.array, "volume": sc.source})
        ET.SubElement(
            lm, "DESTINATION_LUN", {"array": sc.array, "volume": sc.target, "mu": str(sc.mu)}
        )


def _described(el: ET.Element, set_id: str) -> ShadowCopy:
    lm = next((c for c in el if _local(c.tag) == "LUN_MAPPING"), None)
    luns = {} if lm is None else {_local(c.tag): c.attrib for c in lm}
    src, dst = luns.get("SOURCE_LUN", {}), luns.get("DESTINATION_LUN", {})
    return ShadowCopy(
        shadow_id=el.get("snapshotId", ""),
        set_id=set_id,
        volume=el.get("originalVolumeName", ""),
        volume_label=el.get("originalVolumeLabel", ""),
        provider_id=el.get("providerId", ""),
        attributes=int(el.get("snapshotAttributes", "0")),
        created_at=float(el.get("creationTime", "0")),
        originating_machine=el.get("originatingMachine", ""),
        service_machine=el.get("serviceMachine", ""),
        array=dst.get("array", ""),
        target=dst.get("volume", ""),
        source=src.get("volume", ""),
        mu=int(dst.get("mu", "-1")),
        kind=el.get("replicaKind", ""),
    )


def _bcd_component(parent: ET.Element, c: BcdComponent) -> None:
    attrs = {"logicalPath": c.logical_path} if c.logical_path else {}
    attrs |= {"componentName": c.name, "componentType": "database" if c.database else "filegroup"}
    if c.backup_stamp:
        attrs["backupStamp"] = c.backup_stamp
    if c.backup_succeeded is not None:
        attrs["backupSucceeded"] = _yn(c.backup_succeeded)
    if c.selected_for_restore:
        attrs["selectedForRestore"] = "yes"
        attrs["additionalRestores"] = _yn(c.additional_restores)
    if c.file_restore_status != FileRestoreStatus.UNDEFINED:
        attrs["fileRestoreStatus"] = c.file_restore_status.name.lower()
    el = ET.SubElement(parent, "COMPONENT", attrs)
    if c.metadata:
        ET.SubElement(el, "BACKUP_METADATA", {"metadata": c.metadata})


def parse_bcd(text: str) -> Bcd:
    root = _parse(text)
    if _local(root.tag) != "BACKUP_COMPONENTS":
        raise vss_error("VSS_E_INVALID_XML_DOCUMENT", f"root is {_local(root.tag)}")
    types = {t.xml: t for t in BackupType}
    bcd = Bcd(
        backup_type=types.get(root.get("backupType", "full"), BackupType.UNDEFINED),
        select_components=_is_yes(root.get("selectComponents")),
        bootable_system_state=_is_yes(root.get("bootableSystemStateBackup")),
        partial_file_support=_is_yes(root.get("partialFileSupport")),
        snapshot_set_id=root.get("snapshotSetId", ""),
    )
    for wel in root:
        if _local(wel.tag) != "WRITER_COMPONENTS":  # SNAPSHOT_SET_DESCRIPTION: below
            continue
        w = BcdWriter(
            writer_id=wel.get("writerId", ""),
            instance_id=wel.get("instanceId", ""),
            instance_name=wel.get("instanceName", ""),
            backup_schema=int(wel.get("backupSchema", "0")),
            backup_type=types.get(wel.get("backupType", ""), bcd.backup_type),
        )
        w.components = [_parse_bcd_component(c) for c in wel if _local(c.tag) == "COMPONENT"]
        bcd.writers.append(w)
    for desc in root:
        if _local(desc.tag) == "SNAPSHOT_SET_DESCRIPTION":
            sid = desc.get("snapshotSetId", "")
            bcd.shadows += [
                _described(e, sid) for e in desc if _local(e.tag) == "SNAPSHOT_DESCRIPTION"
            ]
    return bcd


def _parse_bcd_component(el: ET.Element) -> BcdComponent:
    succeeded = el.get("backupSucceeded")
    meta = next((m.get("metadata", "") for m in el if _local(m.tag) == "BACKUP_METADATA"), "")
    statuses = {s.name.lower(): s for s in FileRestoreStatus}
    return BcdComponent(
        logical_path=el.get("logicalPath", ""),
        name=el.get("componentName", ""),
        database=el.get("componentType") == "database",
        backup_succeeded=None if succeeded is None else _is_yes(succeeded),
        backup_stamp=el.get("backupStamp", ""),
        metadata=meta,
        selected_for_restore=_is_yes(el.get("selectedForRestore")),
        additional_restores=_is_yes(el.get("additionalRestores")),
        file_restore_status=statuses.get(
            el.get("fileRestoreStatus", ""), FileRestoreStatus.UNDEFINED
        ),
    )
