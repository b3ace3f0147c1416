"""One self-contained HTML file: an inline SVG timeline of the drill and its tables.

No scripts, no external assets: the file can be attached to a CI run or mailed to a DR
team as it is.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from apprm_ref.drill.result import DrillResult
from apprm_ref.drill.timeparse import format_at, short_at, short_duration

WIDTH, LEFT, LANE, PAD = 1100, 170, 18, 6
REPLICA_ROWS = 8
STATUS_COLOUR = {
    "Completed": "#3a9d5d",
    "Completed/Errors": "#d9a400",
    "Completed/Failure": "#e07b00",
    "Failed": "#c62828",
    "Aborted": "#7b1fa2",
}
MARKER_COLOUR = {"fault": "#c62828", "fail": "#000000", "mark": "#1565c0", "check": "#00838f"}


class _Svg:
    def __init__(self, end: float) -> None:
        self.end = max(end, 1.0)
        self.parts: list[str] = []
        self.y = 24

    def x(self, t: float) -> float:
        return round(LEFT + (WIDTH - LEFT - 10) * t / self.end, 2)

    def lane(self, label: str, height: int = LANE) -> int:
        y = self.y
        self.parts.append(f'<text x="4" y="{y + 12}" class="lbl">{escape(label)}</text>')
        self.y += max(height, LANE) + PAD
        return y

    def bar(
        self, y: float, t0: float, t1: float | None, colour: str, title: str, h: int = LANE
    ) -> None:
        x0, x1 = self.x(t0), self.x(t1 if t1 is not None else self.end)
        w = max(x1 - x0, 3.0)  # a 20-second session on a week still shows
        self.parts.append(
            f'<rect x="{x0}" y="{y}" width="{w:.2f}" height="{h}" fill="{colour}">'
            f"<title>{escape(title)}</title></rect>"
        )

    def axis(self) -> None:
        """Time ticks and grid lines, drawn beneath everything else."""
        step, t, grid = _tick(self.end), 0.0, []
        while t <= self.end + 1e-9:
            x = self.x(t)
            grid.append(
                f'<line x1="{x}" y1="14" x2="{x}" y2="{self.y}" class="grid"/>'
                f'<text x="{x + 2}" y="11" class="tick">{escape(short_at(t))}</text>'
            )
            t += step
        self.parts[0:0] = grid

    def render(self) -> str:
        h = self.y + 10
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" '
            f'viewBox="0 0 {WIDTH} {h}">' + "".join(self.parts) + "</svg>"
        )


def _tick(end: float) -> float:
    for step in (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 2 * 86400, 7 * 86400, 30 * 86400):
        if end / step <= 12:
            return float(step)
    return end / 10


def _spec_lanes(svg: _Svg, result: DrillResult, spec: str) -> None:
    y = svg.lane(f"{spec} sessions")
    for s in (s for s in result.sessions if s.spec == spec and s.type == "Backup"):
        svg.bar(y, s.started, s.finished, STATUS_COLOUR.get(s.status, "#888"), f"{s.id} {s.status}")
        if s.backup_mode:
            svg.bar(y + LANE - 5, *s.backup_mode, "#263238", f"{s.id} backup mode", h=5)
    reps = [r for r in result.replicas if r.spec == spec]
    if reps:
        rows = min(len(reps), REPLICA_ROWS)  # one row per replica, reused round-robin
        y = svg.lane(f"{spec} replicas", rows * 5)
        for i, r in enumerate(reps):
            colour = "#90caf9" if r.status == "active" else "#cfd8dc"
            svg.bar(y + (i % rows) * 5, r.created, r.removed, colour, f"{r.id} ({r.status})", h=4)
    rest = [r for r in result.restores if r.spec == spec]
    if rest:
        y = svg.lane(f"{spec} restores")
        for r in rest:
            colour = STATUS_COLOUR.get(r.status, "#888")
            svg.bar(y, r.started, r.finished, colour, f"{r.session} {r.method} {r.status}")


def _markers(svg: _Svg, result: DrillResult) -> None:
    y = svg.lane("events")
    for m in result.markers:
        x, colour = svg.x(m.at), MARKER_COLOUR.get(m.kind, "#555")
        title = f"{escape(format_at(m.at))} {escape(m.kind)}: {escape(m.label)}"
        svg.parts.append(
            f'<line x1="{x}" y1="20" x2="{x}" y2="{y + LANE}" stroke="{colour}" '
            f'stroke-dasharray="3,2"><title>{title}</title></line>'
            f'<circle cx="{x}" cy="{y + LANE / 2}" r="4" fill="{colour}"><title>{title}</title></circle>'
        )


def timeline_svg(result: DrillResult) -> str:
    """Lanes per spec (sessions with backup-mode windows, replica lifetimes, restores),
    then one lane of events (faults, failures, marks, checks), over a simulated-time axis."""
    svg = _Svg(result.duration)
    for spec in sorted({s.spec for s in result.sessions} | {r.spec for r in result.replicas}):
        _spec_lanes(svg, result, spec)
    _markers(svg, result)
    svg.axis()
    return svg.render()


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _t(v: float | None) -> str:
    return "-" if v is None else format_at(v)


def _d(v: float | None) -> str:
    return "-" if v is None else short_duration(v)


def _tables(result: DrillResult) -> list[str]:
    sessions = [
        [s.id, s.type, s.spec, s.status, _t(s.started), _t(s.finished), s.replica or "-"]
        for s in result.sessions
    ]
    replicas = [
        [r.id, r.spec, r.session, r.type, r.status, _t(r.created), _t(r.removed)]
        for r in result.replicas
    ]
    restores = [
        [r.session, r.spec, r.replica, r.method, r.status, _t(r.failure_at), _t(r.recovered_to),
         _d(r.rto), _d(r.rpo)]
        for r in result.restores
    ]  # fmt: skip
    expects = [[e.verdict, e.name, e.expected, e.observed] for e in result.expectations]
    out = [
        "<h2>Expectations</h2>",
        _table(["", "expectation", "expected", "observed"], expects),
        "<h2>Sessions</h2>",
        _table(["session", "type", "spec", "status", "started", "finished", "replica"], sessions),
        "<h2>Replicas</h2>",
        _table(["replica", "spec", "session", "type", "status", "created", "left the set"], replicas),
        "<h2>Restores</h2>",
        _table(["session", "spec", "replica", "method", "status", "failure", "recovered to", "RTO", "RPO"], restores),
    ]  # fmt: skip
    if result.invariant_violations or result.errors:
        rows = [[_t(t), "invariant", m] for t, m in result.invariant_violations]
        rows += [[_t(t), "step error", m] for t, m in result.errors]
        out += ["<h2>Problems</h2>", _table(["at", "kind", "detail"], rows)]
    return out


def report_html(result: DrillResult) -> str:
    verdict = "PASSED" if result.passed else "FAILED"
    head = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>drill {escape(result.scenario)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Drill {escape(result.scenario)}: <span class='{verdict.lower()}'>{verdict}</span></h1>",
        f"<p>scenario {escape(result.path)} · seed {result.seed} · simulated "
        f"{escape(format_at(result.duration))} · trace sha256 <code>{escape(result.digest)}</code></p>",
        "<h2>Timeline</h2>",
        timeline_svg(result),
        _legend(),
    ]
    return "".join([*head, *_tables(result), "</body></html>\n"])


def _legend() -> str:
    items = [*STATUS_COLOUR.items(), ("backup mode", "#263238"), ("replica kept", "#90caf9")]
    items.append(("replica gone (rotated, consumed, deleted)", "#cfd8dc"))
    items += [(f"{kind} event", colour) for kind, colour in MARKER_COLOUR.items()]
    spans = "".join(
        f"<span class='key'><i style='background:{colour}'></i>{escape(label)}</span>"
        for label, colour in items
    )
    return f"<p class='legend'>{spans}</p>"


def write_report(result: DrillResult, path: str | Path) -> None:
    Path(path).write_text(report_html(result))


_CSS = (
    "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1em}"
    "td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px;text-align:left}"
    ".passed{color:#2e7d32}.failed{color:#c62828}.lbl{font-size:11px}.tick{font-size:9px;fill:#666}"
    ".grid{stroke:#e0e0e0}.key{margin-right:1em;font-size:12px}"
    ".key i{display:inline-block;width:10px;height:10px;margin-right:4px}"
)
