"""The BR*Tools side of BC-BRI: write the input list, run ``backint``, read the results.

``backint -u <SID> -f backup|restore|inquire|delete -t file|file_online -p <par_file>
-i <in_file> -o <out_file> -c`` (protocols.md §4.2, oracle-sap.md §8.1). Lines of the output
that do not start with a keyword are free text and ignored; a requested file with no result
line is BR0510I, a result for a file never asked for BR0511I (§8.3). ``#SAVED`` may carry a
4th token, the backup volume (SAP-6), which is accepted and kept out of the BID.

``-t file_online`` (SAP-9, protocols.md §4.6): backint asks BRBACKUP to switch files through
``.switch.lis`` / ``.switch.sem`` / ``.switch.log`` in the BR*Tools directory. The keywords
inside them are not published; they are the notes' ``#BEGIN <file>`` / ``#END <file>``
requests (a request naming no file means "all done") and the answers ``#ERROR <file>`` for
each file not switched plus ``#SUCCESS`` when any was, kept in :data:`SWITCH`. Two programs poll each other there; in one process the
peer cannot wait, so a runner that has ``run_switching(argv, serve)`` is handed ``serve``,
which carries out one pending round (``True``) or finds none (``False``) -- what BRBACKUP's
polling loop does each time it wakes. A runner without it is called with ``run(argv)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.sap import textfiles
from apprm_ref.sim.sap.messages import Output

SWITCH = {
    "list": ".switch.lis",
    "sem": ".switch.sem",
    "log": ".switch.log",
    "begin": "#BEGIN",
    "end": "#END",
    "ok": "#SUCCESS",
    "error": "#ERROR",
}
KEYWORDS = ("#SAVED", "#ERROR", "#RESTORED", "#NOTFOUND", "#BACKUP", "#DELETED", "#NOTDELETED")


@dataclass
class BackintResult:
    rc: int
    results: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # path -> (kw, bid)
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)

    def with_keyword(self, keyword: str) -> dict[str, str | None]:
        return {p: bid for p, (kw, bid) in self.results.items() if kw == keyword}


@dataclass
class BackintCall:
    """One call: where its files go and who runs it."""

    hosts: Any
    host: str
    workdir: str  # the BR*Tools directory on ``host`` (sapbackup)
    sid: str
    parfile: str | None
    runner: Any
    program: str = "backint"

    def argv(self, function: str, btype: str, tag: str) -> list[str]:
        argv = [self.program, "-u", self.sid, "-f", function, "-t", btype]
        if self.parfile:
            argv += ["-p", self.parfile]
        return [*argv, "-i", f"{self.workdir}/.{tag}.lst", "-o", f"{self.workdir}/.{tag}.out", "-c"]

    def run(
        self,
        function: str,
        btype: str,
        lines: Sequence[str],
        tag: str,
        out: Output,
        serve: Callable[[], bool] | None = None,
    ) -> BackintResult:
        argv = self.argv(function, btype, tag)
        in_file, out_file = argv[argv.index("-i") + 1], argv[argv.index("-o") + 1]
        textfiles.write(self.hosts, self.host, in_file, "".join(f"{ln}\n" for ln in lines))
        textfiles.delete(self.hosts, self.host, out_file)
        out.say("BR0229I", function)
        out.raw(f"BR0278I Command output of '{' '.join(argv)}':")
        if serve is not None and hasattr(self.runner, "run_switching"):
            rc, stdout, stderr = self.runner.run_switching(argv, serve)
        else:
            rc, stdout, stderr = self.runner.run(argv)
        for text in (stdout, stderr):
            out.lines.extend(ln for ln in text.splitlines() if ln.strip())
        result = parse_output(textfiles.read(self.hosts, self.host, out_file) or "", lines, rc)
        out.lines.extend(result.free_text)
        return result


def requested(line: str) -> str:
    """The file a request line names (``path``, ``path size``, ``BID path [dir]``)."""
    parts = line.split()
    if not parts:
        return ""
    if parts[0] == "#NULL" or (len(parts) >= 2 and parts[1].startswith("/")):
        return parts[1] if len(parts) > 1 else ""
    return parts[0]


def parse_output(text: str, lines: Sequence[str], rc: int) -> BackintResult:
    """Keyword lines matched to the request by file name (§8.3)."""
    wanted = [requested(ln) for ln in lines]
    res = BackintResult(rc)
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] not in KEYWORDS:
            if line.strip():
                res.free_text.append(line)
            continue
        kw = parts[0]
        if kw in ("#SAVED", "#RESTORED", "#BACKUP", "#DELETED") and len(parts) >= 3:
            bid, path = parts[1], parts[2]
        elif len(parts) >= 2:
            bid, path = None, parts[1]
        else:
            res.free_text.append(line)
            continue
        if path not in wanted:
            res.unknown.append(path)
        else:
            res.results[path] = (kw, bid)
    res.missing = [w for w in wanted if w and w not in res.results]
    return res


def serve_switch(
    hosts: Any, host: str, workdir: str, act: Callable[[str, list[str]], list[str]]
) -> bool:
    """BRBACKUP's answer to one pending switch request: ``act(keyword, files)`` does the
    switch and returns the files it could not switch; the semaphore is removed last."""
    sem = f"{workdir}/{SWITCH['sem']}"
    if not textfiles.exists(hosts, host, sem):
        return False
    request = textfiles.read(hosts, host, f"{workdir}/{SWITCH['list']}") or ""
    groups: dict[str, list[str]] = {SWITCH["begin"]: [], SWITCH["end"]: []}
    for line in request.splitlines():
        kw, _, path = line.strip().partition(" ")
        if kw in groups and path.strip():
            groups[kw].append(path.strip())
    failed: list[str] = []
    for kw, files in groups.items():
        if files:
            failed += act(kw, files)
    asked = sum(len(files) for files in groups.values())
    answer = [f"{SWITCH['error']} {f}" for f in failed]
    if not asked or len(failed) < asked:  # some (or, for "all done", no) file to switch
        answer.append(SWITCH["ok"])
    textfiles.write(hosts, host, f"{workdir}/{SWITCH['log']}", "".join(f"{a}\n" for a in answer))
    textfiles.delete(hosts, host, sem)
    return True
