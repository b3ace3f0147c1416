"""What ``vssadmin`` and ``diskshadow`` print about writers, shadow copies and providers.

Every listing is a pure function of the service's state (VC-I23). Layouts follow captures:
``vssadmin list writers`` (sap-vss-addendum.md VSS-8: 3-space indents, ``State: [n] Failed``
for every FAILED_AT_* state), ``vssadmin list shadows`` / ``list providers`` (public
captures of Windows Server output, e.g. "Contents of shadow copy set ID: {…}" blocks with
6/9-space indents; ``Provider type: System``), ``diskshadow`` ``create`` / ``list shadows``
(``* Shadow copy ID = {…}`` blocks, ``Number of shadow copies listed: N``), ``list writers
status`` and ``list providers`` (MicrosoftDocs windowsserverdocs list-writers.md,
list-providers.md). Attribute words not seen in a capture are inferred from the
VSS_VOLUME_SNAPSHOT_ATTRIBUTES names. Times print as Windows' en-US short date and long time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from apprm_ref.sim.vss.errors import HRESULTS, LAST_ERROR_TEXT
from apprm_ref.sim.vss.models import Attr, ShadowCopy, WriterStatus
from apprm_ref.sim.vss.providers import vss_guid
from apprm_ref.sim.vss.service import VssService
from apprm_ref.sim.vss.writers import Writer

VSSADMIN_HEADER = (
    "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n"
    "(C) Copyright 2001-2005 Microsoft Corp.\n"
)


def when(world: Any, at: float) -> str:
    """``9/8/2025 10:58:48 PM``: the simulated instant in Windows' en-US format."""
    t: datetime = world.clock.epoch + timedelta(seconds=at)
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def _last_error(st: WriterStatus) -> str:
    return LAST_ERROR_TEXT.get(st.last_error, "Unexpected error")


# --- vssadmin ------------------------------------------------------------------------------


def vssadmin_writers(service: VssService, writers: list[tuple[Writer, str, WriterStatus]]) -> str:
    """``vssadmin list writers``: ``writers`` = (writer, name, status) in listing order."""
    out = [VSSADMIN_HEADER]
    for _, name, st in writers:
        out.append(
            f"Writer name: '{name}'\n"
            f"   Writer Id: {{{st.writer_id}}}\n"
            f"   Writer Instance Id: {{{st.instance_id}}}\n"
            f"   State: [{int(st.state)}] {st.state.text}\n"
            f"   Last error: {_last_error(st)}\n"
        )
    return "\n".join(out) + "\n"


_VSSADMIN_ATTRS = (
    (Attr.PERSISTENT, "Persistent"),
    (Attr.CLIENT_ACCESSIBLE, "Client-accessible"),
    (Attr.NO_AUTO_RELEASE, "No auto release"),
    (Attr.NO_WRITERS, "No writers"),
    (Attr.TRANSPORTABLE, "Transportable"),
    (Attr.NOT_SURFACED, "Not surfaced"),
    (Attr.HARDWARE_ASSISTED, "Hardware"),
    (Attr.DIFFERENTIAL, "Differential"),
    (Attr.PLEX, "Plex"),
    (Attr.IMPORTED, "Imported"),
    (Attr.EXPOSED_LOCALLY, "Exposed locally"),
    (Attr.EXPOSED_REMOTELY, "Exposed remotely"),
)


def context_type(attributes: int) -> str:
    """vssadmin's ``Type:`` of a copy: the VSS_CTX_* its context attributes make."""
    a = Attr(attributes & 0xFF)
    if a & Attr.CLIENT_ACCESSIBLE:
        return "ClientAccessible"
    if a & Attr.PERSISTENT and a & Attr.NO_AUTO_RELEASE:
        return "DataVolumeRollback" if a & Attr.NO_WRITERS else "ApplicationRollback"
    return "FileShareBackup" if a & Attr.NO_WRITERS else "Backup"


def _label(sc: ShadowCopy) -> str:
    letter = sc.volume_label.rstrip("\\")
    return f"({letter})" if len(letter) == 2 else f"({sc.volume_label})" if letter else ""


def vssadmin_shadows(service: VssService, shadows: list[ShadowCopy]) -> str:
    if not shadows:
        return VSSADMIN_HEADER + "\nNo items found that satisfy the query.\n"
    out = [VSSADMIN_HEADER]
    for set_id in dict.fromkeys(s.set_id for s in shadows):
        members = [s for s in shadows if s.set_id == set_id]
        ss = service.sets.get(set_id)
        count = len(ss.shadow_ids) if ss is not None else len(members)
        out.append(f"Contents of shadow copy set ID: {{{set_id}}}")
        out.append(
            f"   Contained {count} shadow copies at creation time: "
            f"{when(service.world, members[0].created_at)}"
        )
        for sc in members:
            attrs = ", ".join(t for bit, t in _VSSADMIN_ATTRS if sc.attributes & bit)
            provider = _provider_name(service, sc.provider_id)
            out += [
                f"      Shadow Copy ID: {{{sc.shadow_id}}}",
                f"         Original Volume: {_label(sc)}{sc.volume}",
                f"         Shadow Copy Volume: {sc.device}",
                f"         Originating Machine: {sc.originating_machine}",
                f"         Service Machine: {sc.service_machine}",
                f"         Provider: '{provider}'",
                f"         Type: {context_type(sc.attributes)}",
                f"         Attributes: {attrs}",
                "",
            ]
    return "\n".join(out) + "\n"


def _provider_name(service: VssService, provider_id: str) -> str:
    return next((p.name for p in service.providers if p.provider_id == provider_id), provider_id)


def vssadmin_providers(service: VssService) -> str:
    out = [VSSADMIN_HEADER]
    for p in service.providers:
        out.append(
            f"Provider name: '{p.name}'\n"
            f"   Provider type: {p.provider_type}\n"
            f"   Provider Id: {{{p.provider_id}}}\n"
            f"   Version: {p.version}\n"
        )
    return "\n".join(out) + "\n"


# --- diskshadow ----------------------------------------------------------------------------

_DS_ATTRS = (
    (Attr.NO_AUTO_RELEASE, "No_Auto_Release"),
    (Attr.PERSISTENT, "Persistent"),
    (Attr.CLIENT_ACCESSIBLE, "Client_Accessible"),
    (Attr.NO_WRITERS, "No_Writers"),
    (Attr.TRANSPORTABLE, "Transportable"),
    (Attr.HARDWARE_ASSISTED, "Hardware"),
    (Attr.DIFFERENTIAL, "Differential"),
    (Attr.PLEX, "Plex"),
    (Attr.IMPORTED, "Imported"),
    (Attr.EXPOSED_LOCALLY, "Exposed_Locally"),
)


def diskshadow_shadows(
    service: VssService, shadows: list[ShadowCopy], aliases: dict[str, str]
) -> str:
    """The ``* Shadow copy ID = {…}`` blocks and the count line."""
    names = {v.strip("{}").lower(): k for k, v in aliases.items()}
    out = []
    for sc in shadows:
        ss = service.sets.get(sc.set_id)
        alias = names.get(sc.shadow_id, "")
        set_alias = names.get(sc.set_id, "")
        attrs = " ".join(t for bit, t in _DS_ATTRS if sc.attributes & bit)
        label = f" [{sc.volume_label}]" if sc.volume_label else ""
        out += [
            f"\t* Shadow copy ID = {{{sc.shadow_id}}}\t\t%{alias}%"
            if alias
            else f"\t* Shadow copy ID = {{{sc.shadow_id}}}",
            f"\t\t- Shadow copy set: {{{sc.set_id}}}\t%{set_alias}%"
            if set_alias
            else f"\t\t- Shadow copy set: {{{sc.set_id}}}",
            f"\t\t- Original count of shadow copies = {len(ss.shadow_ids) if ss else 1}",
            f"\t\t- Original volume name: {sc.volume}{label}",
            f"\t\t- Creation time: {when(service.world, sc.created_at)}",
            f"\t\t- Shadow copy device name: {sc.device}",
            f"\t\t- Originating machine: {sc.originating_machine}",
            f"\t\t- Service machine: {sc.service_machine}",
            f"\t\t- Exposed name: {sc.exposed}" if sc.exposed else "\t\t- Not exposed",
            f"\t\t- Provider ID: {{{sc.provider_id}}}",
            f"\t\t- Attributes:  {attrs}",
            "",
        ]
    out.append(f"Number of shadow copies listed: {len(shadows)}")
    return "\n".join(out) + "\n"


def diskshadow_writer_status(writers: list[tuple[str, WriterStatus]]) -> str:
    out = ["Listing writer status ..."]
    for name, st in writers:
        code = st.last_error
        out += [
            f'* WRITER "{name}"',
            f"\t- Status: {int(st.state)} (VSS_WS_{st.state.name})",
            f"\t- Writer Failure code: 0x{HRESULTS.get(code, 0):08x} ({code})",
            f"\t- Writer ID: {{{st.writer_id}}}",
            f"\t- Instance ID: {{{st.instance_id}}}",
        ]
    return "\n".join(out) + "\n"


_PROV_TYPE = {"System": 1, "Software": 2, "Hardware": 3}


def diskshadow_providers(service: VssService) -> str:
    out = []
    for p in service.providers:
        kind = p.provider_type
        out += [
            f"* ProviderID: {{{p.provider_id}}}",
            f"\tType: [{_PROV_TYPE[kind]}] VSS_PROV_{kind.upper()}",
            f"\tName: {p.name}",
            f"\tVersion: {p.version}",
            f"\tCLSID: {{{vss_guid('clsid', p.name)}}}",
        ]
    n = len(service.providers)
    out.append(f"{n} provider{'s' if n != 1 else ''} registered.")
    return "\n".join(out) + "\n"
