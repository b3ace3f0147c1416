"""File I/O of the database engine: every byte goes through the host's filesystems.

A part of :class:`~apprm_ref.sim.oracle.backend.OracleDatabase` (``db.files``); it knows the on-disk
formats (``formats``) and turns host failures into the ORA- errors Oracle would give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError
from apprm_ref.sim.oracle import epoch_loop
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.messages import ora

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase

_ALL_SCALAR = F.SCALARS.issuperset  # _ALL_SCALAR(map(type, values)): every value a scalar


class Files:
    """The database's file i/o: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    @property
    def hosts(self) -> Any:
        return self.db.world.hosts

    def exists(self, path: str) -> bool:
        return self.hosts.file_exists(self.db.host, path)

    def read_block(self, path: str, block: int) -> Any:
        return self.db.world.hosts.read_block(self.db.host, path, block)

    def write_blocks(self, path: str, blocks: dict[int, Any]) -> None:
        self.db.world.hosts.write_file(self.db.host, path, blocks)

    def ensure_file(self, path: str, blocks: int) -> None:
        """Create ``path`` with at least ``blocks`` blocks, or reuse it if big enough."""
        if self.exists(path):
            mnt, rel = self.hosts.mount_of(self.db.host, path)
            if mnt.files[rel].length >= blocks:
                return
            raise HostError(f"{path} exists and is too small", code="EEXIST")
        self.hosts.create_file(self.db.host, path, blocks)

    # --- SPFILE ---------------------------------------------------------------------------

    def read_spfile(self, path: str) -> dict[str, Any]:
        try:
            params = F.unpack(self.read_block(path, 0), F.SPFILE_MAGIC)
        except HostError:
            params = None
        if params is None:
            raise ora("ORA-01078", stack=(("LRM-00109", (path,)),))
        return params

    # --- control files --------------------------------------------------------------------

    def cf_paths(self) -> list[str]:
        return list(self.db.params["control_files"])

    def read_controlfile(self, path: str) -> dict[str, Any] | None:
        return self._read_cf(path)[0]

    def _read_cf(self, path: str) -> tuple[dict[str, Any] | None, tuple[Any, ...]]:
        """(the control file at ``path`` or None if unreadable, the blocks it was read from)."""
        raw = []
        try:
            head = self.read_block(path, 0)
            raw.append(head)
            main = F.unpack(head, F.CF_MAGIC)
            if main is None:
                return None, ()
            archives: list[dict[str, Any]] = []
            for chunk in range((main["narch"] + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK):
                payload = self.read_block(path, 1 + chunk)
                raw.append(payload)
                archives.extend(self.db.memo.cf.thaw_chunk(chunk, payload[2]))
        except (HostError, TypeError, IndexError):
            return None, ()
        main["archives"] = archives[: main["narch"]]
        return main, tuple(raw)

    def read_controlfiles(self, paths: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
        """(path, control file or None) of every copy, as :meth:`read_controlfile` reads
        each. A copy whose blocks equal the first copy's decodes to an equal control file,
        so it is read but not decoded again: mounting costs one decode, not one per copy."""
        if not paths:
            return []
        first, raw = self._read_cf(paths[0])
        copies = [(paths[0], first)]
        for path in paths[1:]:
            same = first is not None and self._holds_blocks(path, raw)
            copies.append((path, first if same else self.read_controlfile(path)))
        return copies

    def _holds_blocks(self, path: str, raw: tuple[Any, ...]) -> bool:
        try:
            return all(self.read_block(path, b) == payload for b, payload in enumerate(raw))
        except (HostError, TypeError, IndexError):
            return False

    def cf_capacity(self, nblocks: int) -> int:
        return (nblocks - 1) * F.ARCH_PER_BLOCK

    def encode_controlfile(
        self, cf: dict[str, Any], *, full: bool, archives: bool = True
    ) -> dict[int, Any]:
        """Blocks of a control file: the main block always, archived-log chunks when asked
        (all, or the last one). Frozen sections and records are reused while unchanged."""
        frozen = self.db.memo.cf
        sections = frozen.sections
        n = len(cf["archives"])
        compiled = epoch_loop.COMPILED
        if compiled is not None:  # the same items, built by the compiled part
            main = compiled.cf_main(cf, sections, frozen.section, n, frozen.order)
        else:
            items = [("narch", n)]
            for k, v in cf.items():
                if k == "archives" or k == "narch":
                    continue
                if type(v) not in F.SCALARS:
                    hit = sections.get(k)  # ``frozen.section``'s hit, without its call
                    v = hit[1] if hit is not None and hit[0] == v else frozen.section(k, v)
                items.append((k, v))
            items.sort()
            main = tuple(items)
        blocks: dict[int, Any] = {0: (F.CF_MAGIC, ("{}", main))}
        chunks = range((n + F.ARCH_PER_BLOCK - 1) // F.ARCH_PER_BLOCK)
        if not archives:
            chunks = range(0)
        elif not full:
            chunks = range(max(0, (n - 1) // F.ARCH_PER_BLOCK), (n - 1) // F.ARCH_PER_BLOCK + 1)
        for chunk in chunks:
            recs = cf["archives"][chunk * F.ARCH_PER_BLOCK : (chunk + 1) * F.ARCH_PER_BLOCK]
            blocks[1 + chunk] = (F.CF_ARCH, chunk, frozen.chunk(chunk, recs))
        return blocks

    def write_controlfile(self, *, full: bool = False) -> None:
        """Write the cached control file to every multiplexed copy (write-through)."""
        cap = (self.db.cf["blocks"] - 1) * F.ARCH_PER_BLOCK  # cf_capacity
        if len(self.db.cf["archives"]) > cap:  # circular reuse of the oldest records
            self.db.cf["archives"] = self.db.cf["archives"][-cap + F.ARCH_PER_BLOCK :]
            full = True
        self.db.cf["seq"] += 1
        changed = full or len(self.db.cf["archives"]) != self.db.arch_synced
        blocks = self.encode_controlfile(self.db.cf, full=full, archives=changed)
        self.db.arch_synced = len(self.db.cf["archives"])
        write, host = self.db.world.hosts.write_file, self.db.host
        for path in self.db.params["control_files"]:  # cf_paths
            write(host, path, blocks)

    # --- datafile headers and blocks ---------------------------------------------------------

    def read_header(self, path: str) -> dict[str, Any] | None:
        try:
            return F.unpack(self.read_block(path, 0), F.DF_HEADER)
        except HostError:
            return None

    def write_header(self, file_no: int) -> None:
        """Write one datafile header (block 0): ``F.pack(F.DF_HEADER, hdr)``, inline for a
        header of scalars (every header is), as DBWR and every checkpoint write them."""
        h = self.db.hdr[file_no]
        compiled = epoch_loop.COMPILED  # scalar_items: the same tuple, or None to decide here
        items = compiled.scalar_items(h) if compiled is not None else None
        if items is not None:
            payload = (F.DF_HEADER, ("{}", items))
        elif _ALL_SCALAR(map(type, h.values())):
            payload = (F.DF_HEADER, ("{}", tuple(sorted(h.items()))))
        else:
            payload = (F.DF_HEADER, F.freeze(h))
        name = self.db.cf["files"][file_no]["name"]
        self.db.world.hosts.write_file(self.db.host, name, {0: payload})

    def write_data_blocks(self, blocks: dict[tuple[int, int], Any]) -> None:
        per_file: dict[int, dict[int, Any]] = {}
        for (file_no, block), payload in sorted(blocks.items()):
            per_file.setdefault(file_no, {})[block] = payload
        for file_no, items in per_file.items():
            self.write_blocks(self.db.cf["files"][file_no]["name"], items)

    # --- redo logs --------------------------------------------------------------------------

    def read_log(self, path: str) -> tuple[dict[str, Any], list[F.Record]] | None:
        """(header, records) of an online or archived log, or None if unreadable."""
        try:
            blocks = self.hosts.read_file(self.db.host, path)
        except HostError:
            return None
        head = F.unpack(blocks[0], F.LOG_HEADER) if blocks else None
        if head is None:
            return None
        records: list[F.Record] = []
        for payload in blocks[1:]:
            recs = F.parse_redo_block(payload, head["seq"], head["rl_id"])
            if recs is None:
                break
            records.extend(recs)
        return head, records

    def write_log_header(self, group: dict[str, Any], group_no: int) -> None:
        head = {
            "dbid": self.db.cf["dbid"],
            "group": group_no,
            "thread": 1,
            "seq": group["seq"],
            "first": group["first"],
            "first_time": group["first_time"],
            "rl_id": group["rl_id"],
        }
        compiled = epoch_loop.COMPILED
        items = compiled.scalar_items(head) if compiled is not None else None
        if items is not None:
            payload = (F.LOG_HEADER, ("{}", items))
        elif _ALL_SCALAR(map(type, head.values())):  # F.pack, inline
            payload = (F.LOG_HEADER, ("{}", tuple(sorted(head.items()))))
        else:
            payload = F.pack(F.LOG_HEADER, head)
        write, host = self.db.world.hosts.write_file, self.db.host  # write_blocks
        for member in group["members"]:
            write(host, member, {0: payload})
