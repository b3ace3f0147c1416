"""The what-if findings as JSON (the CLI's schema: ISO ``*_at`` times), text and HTML.

The HTML report is one file with no external assets: capacity over time per pool is an
inline SVG line plot, each spec's RPO histogram an inline SVG bar chart.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from apprm_ref.whatif.analyse import Findings
from apprm_ref.whatif.run import DAY, Year

W, H, PAD = 640, 180, 36


def to_json(year: Year, f: Findings) -> dict[str, Any]:
    """The findings with every ``*_at`` in ISO 8601 and series as ``{sampled_at, used_bytes}``."""
    doc = asdict(f)
    for pool in doc["capacity"]:
        pool["series"] = [{"sampled_at": at, "used_bytes": used} for at, used in pool["series"]]
    doc["estate"] = year.plan.path
    doc["days"] = year.days
    doc["start_at"], doc["end_at"] = 0.0, year.days * DAY
    return _iso(doc, year.epoch)


def _iso(value: Any, epoch: datetime, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _iso(v, epoch, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v, epoch, key) for v in value]
    if key.endswith("_at") and isinstance(value, int | float):
        return (epoch + timedelta(seconds=float(value))).isoformat(timespec="seconds")
    return value


def text(doc: dict[str, Any]) -> list[str]:
    """A few aligned lines per finding, for the terminal."""
    s = doc["summary"]
    out = [f"{doc['days']} days of {doc['estate']}: {s['sessions']} sessions {s['statuses']}"]
    for r in s["failure_reasons"]:
        out.append(f"  failed {r['spec']}: {r['count']} x {r['reason']}")
    for p in doc["capacity"]:
        out.append(
            f"  capacity {p['pool']}: peak {_gib(p['peak_used_bytes'])} of "
            f"{_gib(p['capacity_bytes'])} ({100 * (p['peak_fraction'] or 0):.1f} %) at "
            f"{p['peak_at']}"
            + (f"; over 90 % from {p['near_full_at']}" if p["near_full_at"] else "")
        )
    for r in doc["slots"]:
        if r["limit_reached_at"]:
            out.append(f"  slots {r['array']}/{r['source']}: {r['max_used']} of {r['limit']}, "
                       f"full from {r['limit_reached_at']}")  # fmt: skip
    for q in doc["queueing"]:
        out.append(f"  sessions {q['spec']}: {q['queued']} queued (max wait "
                   f"{q['max_wait_seconds']:.0f} s), {q['overlapping']} overlapping")  # fmt: skip
    for c in doc["concurrency"]:
        out.append(f"  array {c['array']}: at most {c['max_concurrent_sessions']} sessions at "
                   f"once ({c['max_concurrent_at']})")  # fmt: skip
    for r in doc["rpo"]:
        out.append(f"  RPO {r['spec']}: worst {r['worst_rpo_seconds'] / 3600:.2f} h, "
                   f"{r['replicas_made']} replicas")  # fmt: skip
    for r in doc["rotations"]:
        out.append(
            f"  rotation {r['spec']}: {r['rotations']} times; keeps {', '.join(r['kept_at_end'])}"
        )
    return out


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def html_report(doc: dict[str, Any], year: Year) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>apprm whatif: {e(doc['estate'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}svg{background:#fafafa}"
        "</style></head><body>",
        f"<h1>What if: {e(doc['estate'])}, {doc['days']} days</h1>",
        f"<p>{doc['start_at']} to {doc['end_at']}: {doc['summary']['sessions']} sessions, "
        f"{e(str(doc['summary']['statuses']))}</p>",
    ]
    parts.append("<h2>Sessions that did not complete</h2>")
    parts.append(_table(["Spec", "Times", "Why"],
                        [[r["spec"], r["count"], r["reason"]]
                         for r in doc["summary"]["failure_reasons"]]))  # fmt: skip
    parts.append("<h2>Capacity used over time</h2>")
    for pool in doc["capacity"]:
        parts.append(f"<h3>{e(pool['pool'])}</h3>{_line_svg(pool, year)}")
    parts.append("<h2>Snapshot and MU slots</h2>")
    parts.append(_table(["Array", "Source", "Max used", "Limit", "Limit reached at"],
                        [[r["array"], r["source"], r["max_used"], r["limit"],
                          r["limit_reached_at"] or "-"] for r in doc["slots"]]))  # fmt: skip
    parts.append("<h2>Queued and overlapping sessions</h2>")
    parts.append(_table(["Spec", "Sessions", "Queued", "Max wait (s)", "Overlapping"],
                        [[q["spec"], q["sessions"], q["queued"], round(q["max_wait_seconds"]),
                          q["overlapping"]] for q in doc["queueing"]]))  # fmt: skip
    parts.append(_table(["Array", "Most sessions at once", "First at"],
                        [[c["array"], c["max_concurrent_sessions"], c["max_concurrent_at"]]
                         for c in doc["concurrency"]]))  # fmt: skip
    parts.append("<h2>RPO achieved</h2>")
    for r in doc["rpo"]:
        parts.append(f"<h3>{e(r['spec'])}: worst {r['worst_rpo_seconds'] / 3600:.2f} h</h3>")
        parts.append(_bars_svg(r["histogram"]))
    parts.append("<h2>Rotation</h2>")
    for r in doc["rotations"]:
        parts.append(f"<h3>{e(r['spec'])}: {r['rotations']} rotations, keeps "
                     f"{e(', '.join(r['kept_at_end']))}</h3>")  # fmt: skip
        parts.append(_table(["Why", "Times"], [[x["reason"], x["count"]] for x in r["reasons"]]))
        parts.append(_table(["Session", "Finished", "Kept", "Messages"],
                            [[x["session"], x["finished_at"], ", ".join(x["kept"]),
                              " / ".join(x["messages"])] for x in r["last"]]))  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    e = html.escape
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _line_svg(pool: dict[str, Any], year: Year) -> str:
    """Used bytes against time; the capacity is the top of the plot."""
    cap = pool["capacity_bytes"] or 1
    end = year.days * DAY or 1
    raw = next(p for p in _pools(year) if p[0] == pool["pool"])[1]
    pts = " ".join(
        f"{PAD + (W - 2 * PAD) * at / end:.1f},{H - PAD - (H - 2 * PAD) * used / cap:.1f}"
        for at, used in raw
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' role='img'>"
        f"<rect x='{PAD}' y='{PAD}' width='{W - 2 * PAD}' height='{H - 2 * PAD}' fill='none' stroke='#999'/>"
        f"<polyline fill='none' stroke='#2060c0' stroke-width='1.5' points='{pts}'/>"
        f"<text x='{PAD}' y='{PAD - 6}' font-size='11'>{_gib(cap)} (capacity)</text>"
        f"<text x='{PAD}' y='{H - 8}' font-size='11'>day 0</text>"
        f"<text x='{W - PAD}' y='{H - 8}' font-size='11' text-anchor='end'>day {year.days}</text>"
        "</svg>"
    )


def _pools(year: Year) -> list[tuple[str, list[tuple[float, int]]]]:
    series: dict[str, list[tuple[float, int]]] = {}
    for s in year.samples:
        for p in s.pools:
            series.setdefault(p.key, []).append((s.at, p.used))
    return sorted(series.items())


def _bars_svg(hist: list[dict[str, Any]]) -> str:
    top = max((b["count"] for b in hist), default=0) or 1
    bw = (W - 2 * PAD) / max(len(hist), 1)
    bars = []
    for i, b in enumerate(hist):
        h = (H - 2 * PAD) * b["count"] / top
        x = PAD + i * bw
        bars.append(
            f"<rect x='{x + 2:.1f}' y='{H - PAD - h:.1f}' width='{bw - 4:.1f}' height='{h:.1f}' fill='#40a060'/>"
            f"<text x='{x + bw / 2:.1f}' y='{H - PAD + 14}' font-size='11' text-anchor='middle'>{html.escape(b['bucket'])}</text>"
            f"<text x='{x + bw / 2:.1f}' y='{H - PAD - h - 3:.1f}' font-size='10' text-anchor='middle'>{b['count']}</text>"
        )
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' role='img'>{''.join(bars)}</svg>"
