"""From a simulated :class:`~apprm_ref.whatif.run.Year` to its findings (plain data).

Times stay simulated seconds here; :mod:`apprm_ref.whatif.report` turns them into ISO
``*_at`` values. The RPO a spec achieves is the gap between consecutive replica instants
of its completed sessions (the first gap counts from the start of the year, the last one
to its end): the age of the newest replica just before the next one exists.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from apprm_ref.types import SessionStatus
from apprm_ref.whatif.run import DAY, SessionNote, Year

RPO_EDGES_H = (1, 2, 4, 6, 8, 12, 24, 48)  # histogram buckets: <= each edge, then more
NEAR_FULL = 0.9
LAST_ROTATIONS = 5
IDS = (
    (re.compile(r"\S+#\d+"), "<replica>"),
    (re.compile(r"R?-?\d{4}/\d\d/\d\d-\d+"), "<session>"),
)


def capacity(year: Year) -> list[dict[str, Any]]:
    """Per ``array/pool``: capacity, used over time, the peak and when it first neared full."""
    series: dict[str, list[tuple[float, int]]] = {}
    caps: dict[str, int] = {}
    for s in year.samples:
        for p in s.pools:
            series.setdefault(p.key, []).append((s.at, p.used))
            caps[p.key] = p.capacity
    out = []
    for key in sorted(series):
        pts, cap = series[key], caps[key]
        peak_at, peak = max(pts, key=lambda t: (t[1], -t[0]))
        near = next((at for at, used in pts if cap and used >= NEAR_FULL * cap), None)
        out.append({
            "pool": key, "capacity_bytes": cap, "peak_used_bytes": peak, "peak_at": peak_at,
            "peak_fraction": round(peak / cap, 4) if cap else None,
            "near_full_at": near, "series": pts,
        })  # fmt: skip
    return out


def slots(year: Year) -> list[dict[str, Any]]:
    """Per source: the most snapshot or MU slots used, the limit, when it was first reached."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for s in year.samples:
        for h in s.slots:
            row = seen.setdefault(
                (h.array, h.source),
                {"array": h.array, "source": h.source, "limit": h.limit, "max_used": 0,
                 "limit_reached_at": None, "samples_at_limit": 0},
            )  # fmt: skip
            row["max_used"] = max(row["max_used"], h.used)
            if h.used >= h.limit:
                row["samples_at_limit"] += 1
                if row["limit_reached_at"] is None:
                    row["limit_reached_at"] = s.at
    return [seen[k] for k in sorted(seen)]


def queueing(year: Year) -> list[dict[str, Any]]:
    """Per spec: sessions that waited for the previous one, and sessions that overlapped it."""
    out = []
    for spec, notes in _by_spec(year).items():
        queued = [n for n in notes if n.began > n.started]
        overlap = [b for a, b in zip(notes, notes[1:], strict=False) if b.started < a.finished]
        out.append({
            "spec": spec, "sessions": len(notes), "queued": len(queued),
            "max_wait_seconds": max((n.began - n.started for n in queued), default=0.0),
            "overlapping": len(overlap), "examples": [n.id for n in (queued or overlap)[:5]],
        })  # fmt: skip
    return out


def concurrency(year: Year) -> list[dict[str, Any]]:
    """Per array: the most sessions working on it at once (from leaving the queue to the
    end) and when that first happened; sessions of different specs overlap here."""
    array_of = {s.name: s.array for s in year.plan.specs}
    edges: dict[str, list[tuple[float, int]]] = {}
    for n in year.sessions:
        arr = array_of.get(n.spec, "?")
        edges.setdefault(arr, []).extend([(n.began, 1), (n.finished, -1)])
    out = []
    for arr in sorted(edges):
        live = top = 0
        top_at = 0.0
        for at, step in sorted(edges[arr], key=lambda e: (e[0], e[1])):  # ends before starts
            live += step
            if live > top:
                top, top_at = live, at
        out.append({"array": arr, "max_concurrent_sessions": top, "max_concurrent_at": top_at})
    return out


def rpo(year: Year) -> list[dict[str, Any]]:
    """Per spec: the RPO histogram of its year and the worst gap, with when it ended."""
    end = year.days * DAY
    out = []
    for spec, notes in _by_spec(year).items():
        points = sorted(
            n.replica_at for n in notes
            if n.status == SessionStatus.COMPLETED and n.replica_at is not None
        )  # fmt: skip
        edges = [0.0, *points, end]
        gaps = [(b - a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a]
        hist = Counter(_bucket(g / 3600) for g, _ in gaps)
        worst, worst_at = max(gaps, default=(end, end))
        out.append({
            "spec": spec, "replicas_made": len(points), "worst_rpo_seconds": worst,
            "worst_rpo_ended_at": worst_at,
            "histogram": [{"bucket": b, "count": hist.get(b, 0)} for b in _buckets()],
        })  # fmt: skip
    return out


def rotations(year: Year) -> list[dict[str, Any]]:
    """Per spec: how often rotation acted and why, and what the last rotations kept."""
    out = []
    for spec, notes in _by_spec(year).items():
        rotated = [n for n in notes if n.rotation]
        reasons = Counter(_generic(t) for n in rotated for t in n.rotation)
        out.append({
            "spec": spec, "rotations": len(rotated),
            "reasons": [{"reason": r, "count": c} for r, c in sorted(reasons.items())],
            "kept_at_end": list(notes[-1].kept) if notes else [],
            "last": [
                {"session": n.id, "finished_at": n.finished, "messages": list(n.rotation),
                 "kept": list(n.kept)}
                for n in rotated[-LAST_ROTATIONS:]
            ],
        })  # fmt: skip
    return out


def statuses(year: Year) -> dict[str, Any]:
    counts = Counter(n.status.value for n in year.sessions)
    failed = [n for n in year.sessions if n.status != SessionStatus.COMPLETED]
    why = Counter((n.spec, _generic(n.problems[0]) if n.problems else "-") for n in failed)
    return {
        "sessions": len(year.sessions), "scheduled": year.scheduled,
        "statuses": dict(sorted(counts.items())), "blocked_writes": year.blocked_writes,
        "archive_purges": year.purges, "archive_purges_refused": year.purges_refused[:20],
        "failure_reasons": [
            {"spec": spec, "reason": r, "count": c} for (spec, r), c in sorted(why.items())
        ],
        "not_completed": [
            {"session": n.id, "spec": n.spec, "status": n.status.value,
             "started_at": n.started, "problems": list(n.problems)}
            for n in failed[:20]
        ],
    }  # fmt: skip


@dataclass(frozen=True)
class Findings:
    summary: dict[str, Any]
    capacity: list[dict[str, Any]]
    slots: list[dict[str, Any]]
    queueing: list[dict[str, Any]]
    concurrency: list[dict[str, Any]]
    rpo: list[dict[str, Any]]
    rotations: list[dict[str, Any]]


def analyse(year: Year) -> Findings:
    return Findings(
        statuses(year), capacity(year), slots(year), queueing(year), concurrency(year),
        rpo(year), rotations(year),
    )  # fmt: skip


def _by_spec(year: Year) -> dict[str, list[SessionNote]]:
    out: dict[str, list[SessionNote]] = {
        s.name: [] for s in sorted(year.plan.specs, key=lambda s: s.name)
    }
    for n in sorted(year.sessions, key=lambda n: (n.started, n.id)):
        out.setdefault(n.spec, []).append(n)
    return out


def _buckets() -> list[str]:
    return [f"<={e}h" for e in RPO_EDGES_H] + [f">{RPO_EDGES_H[-1]}h"]


def _bucket(hours: float) -> str:
    for e in RPO_EDGES_H:
        if hours <= e:
            return f"<={e}h"
    return f">{RPO_EDGES_H[-1]}h"


def _generic(text: str) -> str:
    for pattern, name in IDS:
        text = pattern.sub(name, text)
    return text
