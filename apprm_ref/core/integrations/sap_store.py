"""The backint store of the cell manager: one IDB record per backup ID.

A backint command's objects go where the product's catalogue goes: each BID is one record
(``AppConfig`` kind ``backint``, name ``<SID>%<BID>``) holding its files, their sizes and
their contents, written through the repository's API. The lab device is thus inside the
IDB: a command commits its catalogue entries and its data in the one transaction of the
lab command (REL-I2), a lab archive carries its backups, and a crash keeps neither.
BIDs are ``APPRM`` + a 10-digit number increasing over the store, so they sort by age and
carry no blank (BC-BRI; the product's own BID form is unpublished, SAP-7).
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.core.records import AppConfig
from apprm_ref.core.repository import Repository
from apprm_ref.drivers.sap import BackintCopy
from apprm_ref.errors import NotFoundError

KIND = "backint"
BID_PREFIX = "APPRM"


def _name(user: str, bid: str) -> str:
    return f"{user}%{bid}"


@dataclass
class RepoBackintStore:
    """:class:`~apprm_ref.drivers.sap.BackintStore` over the IDB's repository."""

    repo: Repository

    def _records(self, user: str | None = None) -> list[AppConfig]:
        rows = self.repo.list_configs(KIND)
        return [r for r in rows if user is None or r.name.split("%", 1)[0] == user]

    def new_backup_id(self, user: str) -> str:
        seq = 1 + max((int(r.data.get("seq", 0)) for r in self._records()), default=0)
        bid = f"{BID_PREFIX}{seq:010d}"
        self.repo.save_config(AppConfig(KIND, _name(user, bid), user, {"seq": seq, "files": {}}))
        return bid

    def _record(self, user: str, bid: str) -> AppConfig | None:
        try:
            return self.repo.get_config(KIND, _name(user, bid))
        except NotFoundError:
            return None

    def put(self, user: str, bid: str, path: str, data: bytes) -> None:
        rec = self._record(user, bid)
        if rec is None:
            raise NotFoundError(f"backup ID {bid} of {user} was never issued")
        files = dict(rec.data["files"])
        files[path] = {"size": len(data), "data": data.hex()}
        self.repo.save_config(AppConfig(KIND, rec.name, rec.host, {**rec.data, "files": files}))

    def get(self, user: str, bid: str, path: str) -> bytes | None:
        rec = self._record(user, bid)
        entry = None if rec is None else rec.data["files"].get(path)
        return None if entry is None else bytes.fromhex(entry["data"])

    def copies(self, user: str) -> list[BackintCopy]:
        out = []
        for rec in self._records(user):
            bid = rec.name.split("%", 1)[1]
            for path in sorted(rec.data["files"]):
                size = int(rec.data["files"][path]["size"])
                out.append(BackintCopy(user, bid, path, int(rec.data["seq"]), size))
        return sorted(out, key=lambda c: (-c.seq, c.path))

    def drop(self, user: str, bid: str, path: str) -> bool:
        rec = self._record(user, bid)
        if rec is None or path not in rec.data["files"]:
            return False
        files = {k: v for k, v in rec.data["files"].items() if k != path}
        # an emptied record stays: its number is never issued again
        self.repo.save_config(AppConfig(KIND, rec.name, rec.host, {**rec.data, "files": files}))
        return True
