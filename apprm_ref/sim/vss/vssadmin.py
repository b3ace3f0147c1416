"""``vssadmin`` on a simulated host: ``list writers``, ``list shadows [/for=V] [/shadow=ID]``
and ``list providers``. Other vssadmin commands exist but are not simulated and are refused
as such; a word vssadmin does not know gets its own ``Error: Invalid command.`` (exit 1,
inferred). ``list writers`` identifies the writers first, as vssadmin does.
"""

from __future__ import annotations

from collections.abc import Sequence

from apprm_ref.errors import ApprmError
from apprm_ref.sim.vss import text
from apprm_ref.sim.vss.service import VssService
from apprm_ref.sim.vss.writers import Event, WriterContext

KNOWN = (
    ("list", "writers"),
    ("list", "shadows"),
    ("list", "providers"),
    ("list", "volumes"),
    ("list", "shadowstorage"),
    ("add", "shadowstorage"),
    ("create", "shadow"),
    ("delete", "shadows"),
    ("delete", "shadowstorage"),
    ("resize", "shadowstorage"),
    ("revert", "shadow"),
    ("query", "reverts"),
)


def vssadmin(service: VssService, argv: Sequence[str]) -> tuple[int, str, str]:
    words = [a.lower() for a in argv]
    key = tuple(words[:2])
    if key not in KNOWN:
        return 1, text.VSSADMIN_HEADER + "\nError: Invalid command.\n", ""
    try:
        if key == ("list", "writers") and len(words) == 2:
            return 0, _writers(service), ""
        if key == ("list", "providers") and len(words) == 2:
            return 0, text.vssadmin_providers(service), ""
        if key == ("list", "shadows"):
            return _shadows(service, list(argv[2:]))
    except ApprmError as exc:
        return 2, text.VSSADMIN_HEADER, f"Error: {exc}\n"
    what = " ".join(argv)
    return 2, "", f"vssadmin {what}: not simulated (only list writers|shadows|providers)\n"


def _writers(service: VssService) -> str:
    rows = []
    for w in service.writers():
        st = service.status(w)
        ctx = WriterContext(Event.IDENTIFY, service.host, world=service.world)
        rows.append((w, w.on_identify(ctx).name, st))
    return text.vssadmin_writers(service, rows)


def _shadows(service: VssService, opts: list[str]) -> tuple[int, str, str]:
    shadows = sorted(service.shadows.values(), key=lambda s: (s.created_at, s.set_id, s.shadow_id))
    for opt in opts:
        name, _, value = opt.partition("=")
        if name.lower() == "/for" and value:
            vol = service.resolve(value)
            shadows = [s for s in shadows if s.volume == vol.guid_path]
        elif name.lower() == "/shadow" and value:
            shadows = [s for s in shadows if s.shadow_id == value.strip("{}").lower()]
        else:
            return 1, text.VSSADMIN_HEADER + "\nError: Invalid option value.\n", ""
    return 0, text.vssadmin_shadows(service, shadows), ""
