"""The ``-t file_online`` switch handshake of backint with BRBACKUP (protocols.md §4.6,
sap-vss-addendum.md SAP-9).

Per round of up to ``switch_batch`` files: backint writes the request to the switch list,
creates the semaphore and waits until BRBACKUP, having switched the files' tablespaces,
writes the switch log and deletes the semaphore. Files switched into backup mode are copied,
then switched out again in a second round; a final request without file names says all is
done. A file is copied only while in backup mode, and every BEGIN that succeeded gets its
END before backint exits (OS-I18). The keywords inside the three files are not published
(SAP-9, I): they are this table, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apprm_ref.drivers.sap import HostFiles
from apprm_ref.real.sap_backint_params import BackintParams

BEGIN, END, SUCCESS, ERROR = "#BEGIN", "#END", "#SUCCESS", "#ERROR"  # (I) SAP-9


@dataclass
class SwitchChannel:
    files: HostFiles
    params: BackintParams
    broken: bool = False  # BRBACKUP stopped answering: no further round is asked

    def rounds(self, paths: Sequence[str], save: Callable[[str], bool]) -> list[tuple[str, bool]]:
        """Copy every path inside its own BEGIN/END round; (path, saved) in input order."""
        done: dict[str, bool] = {}
        size = self.params.switch_batch
        for i in range(0, len(paths), size):
            batch = list(dict.fromkeys(paths[i : i + size]))
            done.update(self._round(batch, save))
        if not self.broken:
            self._ask([END])  # the final request: no file names, all done
        return [(p, done.get(p, False)) for p in paths]

    def _round(self, batch: list[str], save: Callable[[str], bool]) -> dict[str, bool]:
        if self.broken:
            return {p: False for p in batch}
        begun = self.switch(BEGIN, batch)
        copied = {p: p in begun and save(p) for p in batch}
        ended = self.switch(END, [p for p in batch if p in begun])
        return {p: copied[p] and p in ended for p in batch}

    def switch(self, keyword: str, batch: list[str]) -> set[str]:
        """Ask BRBACKUP to switch ``batch``; the files it reports switched."""
        if not batch:
            return set()
        log = self._ask([f"{keyword} {p}" for p in batch])
        if log is None:
            return set()
        failed = {line.split(None, 1)[1] for line in log if line.startswith(f"{ERROR} ")}
        if any(line.split()[:1] == [SUCCESS] for line in log):
            return {p for p in batch if p not in failed}
        return set()

    def _ask(self, request: list[str]) -> list[str] | None:
        """One request: list, semaphore, wait; the switch log's lines (None: no answer)."""
        fs, prm = self.files, self.params
        try:
            if fs.exists(prm.switch_log):
                fs.remove(prm.switch_log)
            fs.write(prm.switch_list, ("\n".join(request) + "\n").encode())
            fs.write(prm.switch_sem, b"")
            if not fs.wait_gone(prm.switch_sem):
                fs.remove(prm.switch_sem)
                self.broken = True
                return None
            text = fs.read(prm.switch_log).decode()
        except OSError:
            self.broken = True
            return None
        return [line.strip() for line in text.splitlines() if line.strip()]
