"""Every pair command in every state: accepted (Ok), accepted doing nothing (Np) or refused
(Ab, array unchanged) -- protocols.md 2.3 with the arrays.md 3.3 rules for -S and -E."""

from __future__ import annotations

import pytest
from xp_helpers import P, S, make_world, pair_in, snapshot

from apprm_ref.errors import XpError

STATES = [
    "SMPL",
    "COPY(PD)",
    "PAIR",
    "COPY(SP)",
    "PSUS(SP)",
    "PSUS",
    "COPY(RS)",
    "COPY(RS-R)",
    "PSUE",
]

# command -> expected outcome per state (in STATES order)
TABLE = {
    "create": "Ok Np Np Np Ab Ab Np Np Ab",
    "create-split": "Ok Ab Ok Np Np Np Ab Ab Ab",
    "split": "Ab Ab Ok Np Np Np Ab Ab Ab",
    "resync": "Ab Np Np Ab Ok Ok Np Np Ok",
    "restore": "Ab Np Np Ab Ok Ok Np Np Ab",
    "quick-restore": "Ab Np Np Ab Ok Ok Np Np Ab",
    "delete": "Np Ok Ok Ok Ab Ok Ok Ok Ok",
    "suspend": "Ab Ok Ok Ok Ok Ok Ok Ok Np",
}

# state a command leads to when it is performed (Ok)
AFTER = {
    "create": "COPY(PD)",
    "split": "COPY(SP)",
    "resync": "COPY(RS)",
    "restore": "COPY(RS-R)",
    "quick-restore": "COPY(RS-R)",
    "delete": "SMPL",
    "suspend": "PSUE",
}


def _run(xp, command: str) -> None:
    key = [(P, 0)]
    if command == "create":
        xp.paircreate(P, S, 0)
    elif command == "create-split":
        xp.paircreate(P, S, 0, split=True)
    elif command == "split":
        xp.pairsplit(key)
    elif command == "resync":
        xp.pairresync(key)
    elif command == "restore":
        xp.pairresync(key, restore=True)
    elif command == "quick-restore":
        xp.pairresync(key, restore=True, quick=True)
    elif command == "delete":
        xp.pairdelete(key)
    elif command == "suspend":
        xp.pairsuspend(key)


def _cases():
    for command, row in TABLE.items():
        for state, outcome in zip(STATES, row.split(), strict=True):
            yield pytest.param(command, state, outcome, id=f"{command}-{state}-{outcome}")


@pytest.mark.rule("ARR-I10")
@pytest.mark.rule("ARR-P9")
@pytest.mark.parametrize(("command", "state", "outcome"), list(_cases()))
def test_command_in_state(command: str, state: str, outcome: str) -> None:
    world, xp = make_world()
    pair_in(world, xp, state)
    before = snapshot(xp)
    commands = xp.pair_commands
    if outcome == "Ab":
        with pytest.raises(XpError) as err:
            _run(xp, command)
        assert err.value.code in ("EX_CMDRJE", "EX_INVVOL")
        assert snapshot(xp) == before, "a refused command changed the array"
        return
    _run(xp, command)
    now = xp.pair_state(P, 0)
    if outcome == "Np":
        assert now == state and xp.pair_commands == commands
    elif command == "create-split":
        assert now in ("COPY(PD)", "COPY(SP)")
    else:
        assert now == AFTER[command], (command, state, now)
    assert xp.check_invariants() == []
