"""A :class:`~apprm_ref.real.runner.CommandRunner` that executes CCI commands in a World."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from apprm_ref.sim.xp.cci.commands import Cci, execute
from apprm_ref.sim.xp.cci.horcm import HorcmConf, parse_horcm

if TYPE_CHECKING:
    from apprm_ref.sim.world import World


class SimCciRunner:
    """``run(argv)`` as RAID Manager would on a host with these HORCM instances.

    ``confs`` maps instance numbers to ``horcm<n>.conf`` text (or parsed configurations).
    """

    def __init__(
        self,
        world: World,
        confs: Mapping[int, str | HorcmConf],
        env: Mapping[str, str] | None = None,
    ) -> None:
        parsed = {
            n: c if isinstance(c, HorcmConf) else parse_horcm(c, f"horcm{n}.conf")
            for n, c in confs.items()
        }
        self.cci = Cci(world, parsed, dict(env or {}))
        self.calls: list[list[str]] = []

    def now(self) -> float:
        """Simulated time as the caller of these commands sees it: a ``pairevtwait`` run
        inside a SimPy process returns at once but is over only at ``busy_until``."""
        return max(self.cci.world.now(), self.cci.busy_until)

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        self.calls.append(list(argv))
        return execute(self.cci, list(argv))
