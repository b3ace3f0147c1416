"""XP (split-mirror) replication: rotation in place over the MU list (``arrays.md`` §3.6),
ZDB by pair split, present on the backup system, and instant recovery by reverse resync.

A replica is the set of S-VOLs of one MU, split at one instant. Rotation re-uses the MU
whose replica is oldest, so the set never holds more replicas than MUs (ARR-I13). The
replica held on that MU is dropped from the ZDB database when its pairs are
re-synchronised, the moment its content is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication import backup_system
from apprm_ref.core.replication.base import RestoreOptions, Steps
from apprm_ref.core.replication.split_mirror_options import XpOptions, parse_xp_options
from apprm_ref.core.replication.split_mirror_restore import restore_replica
from apprm_ref.errors import ApprmError, ArrayError, OrchestrationError, PlanError, RecoveryError
from apprm_ref.types import ReplicaType, Severity, TargetVolume, VolumeRef

Pairs = list[tuple[str, int]]
SPLIT_STATES = ("COPY(SP)", "PSUS(SP)", "PSUS")  # where a pairsplit takes a PAIR pair


def origin(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    return f"{SplitMirrorReplication.agent}@{ctx.spec.application_system}"


def next_mu(replicas: list[ReplicaRecord], mus: tuple[int, ...]) -> int:
    """The first MU of the list holding no replica, else the one whose replica is oldest."""
    held = {r.mu: r for r in replicas if r.mu is not None and r.status == ReplicaStatus.ACTIVE}
    for mu in mus:
        if mu not in held:
            return mu
    return min(mus, key=lambda m: (held[m].created_at, held[m].sequence))


def wait_state(ctx: SessionContext, drv: Any, pairs: Pairs, state: str, code: str) -> Steps:
    """Wait for ``state`` on every pair, then check the array really shows it."""
    if not pairs:
        return
    suspended(drv, pairs, raise_=True)
    yield from ctx.wait(drv.wait_pairs(pairs, state))
    for pvol, mu in pairs:
        got = drv.pair_info(pvol, mu).state
        if got != state:
            raise OrchestrationError(f"{pvol} MU#{mu} is {got}, expected {state}", code=code)


def suspended(drv: Any, pairs: Pairs, *, raise_: bool = False) -> str:
    """What the pairs the array suspended by error (PSUE) leave: S-VOLs that follow
    nothing and hold no replica until a resync (a full copy) the next session makes."""
    bad = [(p, m, drv.pair_info(p, m)) for p, m in pairs]
    bad = [(p, m, i) for p, m, i in bad if i.state == "PSUE"]
    if not bad:
        return ""
    text = "; ".join(f"{p} MU#{m} is PSUE (suspended by error), S-VOL {i.svol}" for p, m, i in bad)
    text += ": no replica on those S-VOLs; the next session resyncs them"
    if raise_:
        raise OrchestrationError(text, code="XP_PAIR_SUSPENDED")
    return text


def report_suspended(ctx: SessionContext, drv: Any, pairs: Pairs) -> None:
    """After a resync nobody waits for: a suspended pair is reported Critical, never silent."""
    text = suspended(drv, pairs)
    if text:
        ctx.log(Severity.CRITICAL, origin(ctx), text, code="XP_PAIR_SUSPENDED")


@dataclass
class SplitMirrorSessionState:
    """What ``check`` settled for the later steps: the array the BC pairs are on, each
    source's BC P-VOL, the MU to split and the pairs to create first."""

    array: str | None = None
    bc: dict[str, str] = field(default_factory=dict)  # source volume -> BC P-VOL
    mu: int = 0
    create: dict[str, str] = field(default_factory=dict)  # P-VOL -> S-VOL of new pairs


def disable_on_backup_system(ctx: SessionContext, drv: Any, rep: ReplicaRecord) -> Steps:
    """Dismount, export and unpresent what a replica left enabled on the backup system."""
    bk = backup_system.disable_host_side(ctx, rep, origin(ctx))
    if bk is None:
        return
    for vol in rep.details.pop("xp_presented", []):
        yield from ctx.wait(drv.unpresent(vol, bk))
    ctx.drivers.host.rescan(bk)
    ctx.repo.update_replica(rep)


class SplitMirrorReplication:
    kind = "split-mirror-array"
    agent = "SSEA"

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> XpOptions:
        return parse_xp_options(raw, spec_name=spec_name)

    def set_size(self, options: XpOptions) -> int:
        return len(options.mus)

    def tracked(self, options: XpOptions) -> bool:
        return options.keep_for_ir

    @staticmethod
    def _drv(ctx: SessionContext, array: str | None = None) -> Any:
        """The driver of ``array`` (default: the array the replica is split on)."""
        assert ctx.spec is not None
        return ctx.drivers.array(
            array or ctx.state(SplitMirrorSessionState).array or ctx.spec.array
        )

    @staticmethod
    def _bc_pairs(ctx: SessionContext, sources: list[VolumeRef]) -> list[tuple[str, int]]:
        """(BC P-VOL, MU) of each source: the source itself, or its CA S-VOL (CA+BC)."""
        state = ctx.state(SplitMirrorSessionState)
        bc, mu = state.bc, state.mu
        return [(bc[s.volume], mu) for s in sources]

    def _mine(self, ctx: SessionContext) -> list[ReplicaRecord]:
        assert ctx.spec is not None
        return ctx.repo.list_replicas(spec=ctx.spec.name, status=ReplicaStatus.ACTIVE)

    # --- pre-checks: nothing changes here ---------------------------------------------------

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        """Exclude file, pair states and MU use, before any pair command (ARR-P10, ARR-P11)."""
        assert ctx.spec is not None
        opts: XpOptions = ctx.options
        array, bc = self._bc_sources(ctx, sources)
        state = ctx.state(SplitMirrorSessionState)
        state.array, state.bc = array, bc
        drv = self._drv(ctx, array)
        limit = drv.capabilities().limit("mu_per_pvol", 3) or 3
        if max(opts.mus) >= limit:
            raise PlanError(f"array {array} has only {limit} MUs per P-VOL", code="XP_MU")
        if opts.wait_for_replica:
            ctx.warn(origin(ctx), "'Wait for the replica to complete' is not meaningful on XP")
        mu = next_mu(self._mine(ctx), opts.mus)
        state.mu = mu
        bc_sources = [VolumeRef(array, bc[s.volume]) for s in sources]
        state.create = self._check_sources(ctx, drv, bc_sources, mu)

    def _bc_sources(
        self, ctx: SessionContext, sources: list[VolumeRef]
    ) -> tuple[str, dict[str, str]]:
        """Where the BC pairs are: the sources here, or (CA+BC, §3.4) their CA S-VOLs."""
        assert ctx.spec is not None
        if ctx.options.replica_conf == "local":
            return ctx.spec.array, {s.volume: s.volume for s in sources}
        local = self._drv(ctx, ctx.spec.array)
        if not local.capabilities().has("continuous-access"):
            raise PlanError(
                f"array {ctx.spec.array} declares no Continuous Access", code="XP_NOT_CA"
            )
        remote: set[str] = set()
        bc: dict[str, str] = {}
        for src in sources:
            self._not_excluded(local, src.volume, "CA P-VOL")
            ca = local.ca_pair(src.volume)
            if ca is None:
                raise PlanError(f"{src.volume} is not a Continuous Access P-VOL", code="XP_NOT_CA")
            if ca.state != "PAIR":
                raise OrchestrationError(
                    f"the CA pair of {src.volume} is {ca.state}; CA+BC splits a consistent "
                    "(PAIR) CA S-VOL",
                    code="XP_CA_NOT_PAIR",
                )
            remote.add(ca.remote_array)
            bc[src.volume] = ca.svol
        if len(remote) != 1:
            raise PlanError(f"sources replicate to several arrays {sorted(remote)}", code="XP_CA")
        return remote.pop(), bc

    def _check_sources(
        self, ctx: SessionContext, drv: Any, sources: list[VolumeRef], mu: int
    ) -> dict[str, str]:
        opts: XpOptions = ctx.options
        create: dict[str, str] = {}
        for src in sources:
            self._not_excluded(drv, src.volume, "P-VOL")
            info = drv.pair_info(src.volume, mu)
            if info.state == "SMPL":
                if not opts.create_pairs:
                    raise OrchestrationError(
                        f"{src.volume} MU#{mu} is not paired (SMPL)", code="XP_PAIR_SMPL"
                    )
                taken = {*create.values(), *(v.volume for v in sources)}
                free = [s for s in drv.free_svols(src.volume) if s not in taken]
                if not free:
                    raise PlanError(f"no free S-VOL for {src.volume} MU#{mu}", code="XP_NO_SVOL")
                create[src.volume] = free[0]
                continue
            self._not_excluded(drv, info.svol, "S-VOL")
            if info.state in ("PSUS", "PSUE") and not opts.sync_at_start:
                raise OrchestrationError(
                    f"{src.volume} MU#{mu} is {info.state}: pair not synchronised "
                    "(synchronise at start is off)",
                    code="XP_NOT_PAIR",
                )
            self._not_foreign(ctx, src, mu)
        return create

    @staticmethod
    def _not_excluded(drv: Any, ldev: str | None, role: str) -> None:
        if ldev and drv.is_excluded(ldev):
            raise PlanError(f"{role} LDEV {ldev} is in the XP exclude file", code="XP_EXCLUDED")

    @staticmethod
    def _not_foreign(ctx: SessionContext, src: VolumeRef, mu: int) -> None:
        """MU ``mu`` of ``src`` must not hold another specification's active replica: asked
        of the IDB for this source and MU only, so the check does not grow with the array."""
        assert ctx.spec is not None
        for rep in ctx.repo.replicas_holding(src, mu, status=ReplicaStatus.ACTIVE):
            if rep.spec != ctx.spec.name:
                raise PlanError(
                    f"MU#{mu} of {src.volume} holds replica {rep.id} of {rep.spec}",
                    code="XP_MU_IN_USE",
                )

    # --- prepare: pairs to PAIR ------------------------------------------------------------

    def prepare(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        drv, state = self._drv(ctx), ctx.state(SplitMirrorSessionState)
        mu = state.mu
        pairs = self._bc_pairs(ctx, sources)
        for pvol, svol in sorted(state.create.items()):
            yield from ctx.wait(drv.pair_create(pvol, svol, mu))
            ctx.undo.push(
                f"pairsplit -S {pvol} MU#{mu}",
                partial(drv.pair_delete, pvol, mu),
                left_behind=f"pair {pvol} MU#{mu} still exists",
            )
            ctx.info(origin(ctx), f"Pair {pvol} -> {svol} MU#{mu} created")
        split = [p for p in pairs if drv.pair_info(*p).state in ("PSUS", "PSUE")]
        if split:
            yield from self._give_up(ctx, drv, mu)
        gone = self._rotate_out(ctx, mu)
        if split:
            yield from self._resync_rotated(ctx, drv, split, gone)
            ctx.info(origin(ctx), f"Resynchronising MU#{mu}: {', '.join(p for p, _ in split)}")
        _rotated(ctx, gone, mu, "re-synchronised for this session")
        yield from wait_state(ctx, drv, pairs, "PAIR", "XP_NOT_PAIR")

    def _give_up(self, ctx: SessionContext, drv: Any, mu: int) -> Steps:
        """Before ``mu`` is re-synchronised: a replica of it left enabled on the backup
        system is disabled there first (its S-VOLs are about to change under it), and with
        no free MU left the set is briefly empty if it was the last replica (OPS-I3)."""
        mine = self._mine(ctx)
        for rep in (r for r in mine if r.mu == mu):
            yield from disable_on_backup_system(ctx, drv, rep)
            if len(mine) == 1:
                ctx.warn(
                    origin(ctx),
                    f"No free MU for another replica: replica set of {rep.spec} is briefly "
                    f"empty while MU#{mu} is re-synchronised",
                    code="SET_BRIEFLY_EMPTY",
                )

    def _rotate_out(self, ctx: SessionContext, mu: int) -> list[ReplicaRecord]:
        """The replica held on ``mu`` is about to be overwritten: drop its XPDB record
        first, so an IDB that refuses the write stops the session before any S-VOL
        changes under a replica it still calls active (REL-I1)."""
        gone = []
        for rep in self._mine(ctx):
            if rep.mu == mu:
                rep.status = ReplicaStatus.DELETED
                rep.details["rotated_out_by"] = ctx.session.id
                ctx.repo.update_replica(rep)
                gone.append(rep)
        return gone

    @staticmethod
    def _resync_rotated(
        ctx: SessionContext, drv: Any, split: Pairs, gone: list[ReplicaRecord]
    ) -> Steps:
        """Resync the rotated-out MU; refused, its replicas are active again (their S-VOLs
        never changed)."""
        try:
            yield from ctx.wait(drv.pair_resync(split))
        except ApprmError:
            for rep in gone:
                rep.status = ReplicaStatus.ACTIVE
                rep.details.pop("rotated_out_by", None)
                ctx.repo.update_replica(rep)
            raise

    # --- the replica ------------------------------------------------------------------------

    def create(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        """Split every pair at one instant; a refused split leaves every pair as it was."""
        assert ctx.spec is not None
        opts: XpOptions = ctx.options
        state = ctx.state(SplitMirrorSessionState)
        drv, mu, array = self._drv(ctx), state.mu, state.array
        assert array is not None  # settled by check()
        pairs = self._bc_pairs(ctx, sources)
        svols = ", ".join(drv.pair_info(p, m).svol or p for p, m in pairs)
        undo = partial(
            ctx.undo.push,
            f"pairresync MU#{mu}",
            lambda: _resync_split(drv, pairs),
            left_behind=f"S-VOLs {svols} of MU#{mu} that do not follow their P-VOLs again "
            "(still split, or suspended) hold no replica; pairresync them",
        )
        try:
            op = drv.pair_split(pairs, quick=opts.split_mode == "quick")
        except ArrayError:
            split = _split_of(drv, pairs)
            if split:  # a lost reply: the array split them; resync once the split settles
                undo()
                yield from wait_state(ctx, drv, split, "PSUS", "XP_SPLIT")
            raise
        undo()
        at = ctx.now
        targets = []
        for src, (pvol, _) in zip(sources, pairs, strict=True):
            tgt = VolumeRef(array, drv.pair_info(pvol, mu).svol)
            details = {"mu": str(mu)}
            if pvol != src.volume or array != src.array:
                details["ca_source"] = str(src)
            targets.append(TargetVolume(VolumeRef(array, pvol), tgt, ReplicaType.MIRROR, details))
        seq = ctx.repo.next_replica_sequence(ctx.spec.name)
        yield from ctx.wait(op)
        ctx.info(origin(ctx), f"Pairs split at one instant on MU#{mu} ({len(pairs)} pair(s))")
        return ReplicaRecord(
            id=f"{ctx.spec.name}#{seq}",
            spec=ctx.spec.name,
            session_id=ctx.session.id,
            array=array,
            created_at=at,
            replica_type=ReplicaType.MIRROR,
            targets=targets,
            layout=[],
            tracked=opts.keep_for_ir,
            sequence=seq,
            mu=mu,
            details={"split_mode": opts.split_mode, "replica_conf": opts.replica_conf},
        )

    def expose(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """XP replicas use the S-VOL paths; present them where the array lets us."""
        assert ctx.spec is not None and ctx.spec.backup_system
        drv, bk = self._drv(ctx, replica.array), ctx.spec.backup_system
        presented = []
        if drv.capabilities().has("present"):
            for t in replica.targets:
                vol = t.target.volume
                if bk not in drv.volume_info(vol).presented_to:
                    yield from ctx.wait(drv.present(vol, bk))
                    ctx.undo.push(
                        f"unpresent {vol}",
                        partial(drv.unpresent, vol, bk),
                        left_behind=f"{vol} is still presented to {bk}",
                    )
                    presented.append(vol)
        replica.details["xp_presented"] = presented

    def conceal(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None and ctx.spec.backup_system
        drv, bk = self._drv(ctx, replica.array), ctx.spec.backup_system
        for vol in replica.details.pop("xp_presented", []):
            yield from ctx.wait(drv.unpresent(vol, bk))
            ctx.undo.discard(f"unpresent {vol}")

    def finish(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        opts: XpOptions = ctx.options
        drv = self._drv(ctx, replica.array)
        assert replica.mu is not None  # create() gave it its MU
        pairs = [(t.source.volume, replica.mu) for t in replica.targets]
        if opts.keep_replica:
            yield from wait_state(ctx, drv, pairs, "PSUS", "XP_SPLIT")
        else:
            yield from ctx.wait(drv.pair_resync(pairs))
            report_suspended(ctx, drv, pairs)
            replica.status, replica.tracked = ReplicaStatus.DELETED, False
            replica.details["resynced_at_end"] = True
            ctx.info(origin(ctx), f"Replica not kept: MU#{replica.mu} re-synchronised")
        if opts.prepare_next_mirror:
            yield from self._prepare_next(ctx, drv, replica)

    def _prepare_next(self, ctx: SessionContext, drv: Any, replica: ReplicaRecord) -> Steps:
        opts: XpOptions = ctx.options
        mine = [r for r in self._mine(ctx) if r.id != replica.id]
        nxt = next_mu([*mine, replica], opts.mus)
        if nxt == replica.mu:
            return
        pairs = [(t.source.volume, nxt) for t in replica.targets]
        split = [p for p in pairs if drv.pair_info(*p).state in ("PSUS", "PSUE")]
        if split:
            for rep in (r for r in mine if r.mu == nxt):
                yield from disable_on_backup_system(ctx, drv, rep)
        gone = self._rotate_out(ctx, nxt)
        if split:
            yield from self._resync_rotated(ctx, drv, split, gone)
            report_suspended(ctx, drv, split)
        _rotated(ctx, gone, nxt, "next mirror prepared")
        ctx.info(origin(ctx), f"Next mirror MU#{nxt} is being prepared")

    # --- instant recovery and maintenance ------------------------------------------------------

    def restore(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RestoreOptions
    ) -> Steps:
        if replica.details.get("replica_conf") == "combined":
            raise RecoveryError(f"{replica.id} is a CA+BC replica: no instant recovery")
        yield from restore_replica(ctx, self._drv(ctx, replica.array), replica, options)

    def delete(self, ctx: SessionContext, replica: ReplicaRecord, *, force: bool = False) -> Steps:
        """Give the MU back to the rotation: re-synchronise its split pairs."""
        drv = self._drv(ctx, replica.array)
        pairs: Pairs = []
        mu = replica.mu
        if mu is None:  # no MU recorded: no pair of it to give back
            return
        for t in replica.targets:
            info = drv.pair_info(t.source.volume, mu)
            if info.svol == t.target.volume and info.state in ("PSUS", "PSUE"):
                pairs.append((t.source.volume, mu))
        if pairs:
            yield from ctx.wait(drv.pair_resync(pairs))
            report_suspended(ctx, drv, pairs)  # the S-VOL follows nothing: say so


def _rotated(ctx: SessionContext, gone: list[ReplicaRecord], mu: int, why: str) -> None:
    for rep in gone:
        ctx.info(origin(ctx), f"Replica {rep.id} on MU#{mu} rotated out ({why})")


def _resync_split(drv: Any, pairs: Pairs) -> None:
    """Undo of a split: resync the pairs the array split (all, or none when the split was
    refused; all also when its reply was lost and the caller saw an error). A copy the
    array suspends (PSUE) fails the undo, so the unwind reports its S-VOL Critical."""
    split = _split_of(drv, pairs)
    if split:
        drv.pair_resync(split)
        suspended(drv, split, raise_=True)


def _split_of(drv: Any, pairs: Pairs) -> Pairs:
    """The pairs the array reports split (asked again after an error, whose reply may lie)."""
    return [(p, m) for p, m in pairs if drv.pair_info(p, m).detail in SPLIT_STATES]
