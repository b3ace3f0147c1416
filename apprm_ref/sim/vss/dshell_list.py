"""diskshadow ``list writers|shadows|providers`` and ``delete shadows``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.vss import text
from apprm_ref.sim.vss.writers import Event, WriterContext

if TYPE_CHECKING:
    from apprm_ref.sim.vss.dshell import Diskshadow


def _error(msg: str) -> Exception:
    from apprm_ref.sim.vss.dshell import DsError

    return DsError(msg)


def listing(ds: Diskshadow, args: list[str]) -> None:
    svc = ds.service
    if args[:1] == ["providers"] and len(args) == 1:
        ds.out.append(text.diskshadow_providers(svc))
    elif args[:1] == ["writers"] and args[1:] in ([], ["status"], ["metadata"], ["detailed"]):
        _writers(ds, args[1] if len(args) > 1 else "metadata")
    elif args[:1] == ["shadows"] and len(args) >= 2:
        _shadows(ds, args[1:])
    else:
        raise _error(f"list {' '.join(args)}: the syntax is incorrect.")


def _writers(ds: Diskshadow, mode: str) -> None:
    svc = ds.service
    rows = []
    metas = []
    for w in svc.writers():
        meta = w.on_identify(WriterContext(Event.IDENTIFY, svc.host, world=svc.world))
        rows.append((meta.name, svc.status(w)))
        metas.append(meta)
    if mode == "status":
        ds.out.append(text.diskshadow_writer_status(rows))
        return
    lines = []
    for (name, st), meta in zip(rows, metas, strict=True):
        lines.append(text.diskshadow_writer_status([(name, st)]).split("\n", 1)[1].rstrip("\n"))
        for comp in meta.components:  # component lines: inferred layout
            lines.append(f'\t+ Component "{meta.name}:\\{comp.full_path}"')
            lines.append(f"\t\t- Name: {comp.name}")
            lines.append(f"\t\t- Logical path: {comp.logical_path}")
            lines.append(f"\t\t- Selectable: {str(comp.selectable).upper()}")
            if mode == "detailed":
                for f in comp.files:
                    rec = " (recursive)" if f.recursive else ""
                    lines.append(f"\t\t- File List: Path = {f.path}, Filespec = {f.filespec}{rec}")
    ds.out.append("Listing writer metadata ...\n" + "\n".join(lines) + "\n")


def _shadows(ds: Diskshadow, args: list[str]) -> None:
    svc = ds.service
    every = sorted(svc.shadows.values(), key=lambda s: (s.created_at, s.set_id, s.shadow_id))
    if args == ["all"]:
        chosen, head = every, "Querying all shadow copies on the computer ..."
    elif args[0] in ("set", "id") and len(args) == 2:
        want = args[1].strip("{}").lower()
        field = "set_id" if args[0] == "set" else "shadow_id"
        chosen = [s for s in every if getattr(s, field) == want]
        what = "shadow copy set ID" if args[0] == "set" else "shadow copy ID"
        head = f"Querying all shadow copies with the {what} {{{want}}}"
    else:
        raise _error(f"list shadows {' '.join(args)}: the syntax is incorrect.")
    ds.print(head)
    ds.print()
    ds.out.append(text.diskshadow_shadows(svc, chosen, ds.aliases))


def delete_shadows(ds: Diskshadow, args: list[str]) -> None:
    svc = ds.service
    low = [a.lower() for a in args]
    every = sorted(svc.shadows.values(), key=lambda s: (s.created_at, s.shadow_id))
    if low[:1] != ["shadows"] or len(low) < 2:
        raise _error(f"delete {' '.join(args)}: the syntax is incorrect.")
    how, value = low[1], args[2] if len(args) > 2 else ""
    if how == "all" and not value:
        chosen = every
    elif how in ("volume", "oldest") and value:
        guid = svc.resolve(value).guid_path
        chosen = [s for s in every if s.volume == guid][: 1 if how == "oldest" else None]
    elif how in ("set", "id") and value:
        want = value.strip("{}").lower()
        chosen = [s for s in every if (s.set_id if how == "set" else s.shadow_id) == want]
    elif how == "exposed" and value:
        chosen = [
            s
            for s in every
            if s.exposed and s.exposed.upper().rstrip("\\") == value.upper().rstrip("\\")
        ]
    else:
        raise _error(f"delete {' '.join(args)}: the syntax is incorrect.")
    for sc in chosen:
        if sc.shadow_id in svc.shadows:
            svc.delete_shadow(sc.shadow_id)
    ds.print(f"Number of shadow copies deleted: {len(chosen)}")
