"""Helpers shared by the EVA simulator tests."""

from __future__ import annotations

import pytest

from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.world import World

SNAP, VSNAP, CLONE = VdiskKind.SNAPSHOT, VdiskKind.VSNAP, VdiskKind.SNAPCLONE


def make(eva: EvaBackend, source: str, kind: VdiskKind, **kw):  # type: ignore[no-untyped-def]
    [t] = eva.create_targets([TargetSpec(source, kind, **kw)])
    return t


def refused(world: World, code: str, fn, *args, **kw) -> EvaError:  # type: ignore[no-untyped-def]
    """Call ``fn``; it must raise EvaError ``code`` and leave the whole world unchanged."""
    before = world.digest()
    with pytest.raises(EvaError) as info:
        fn(*args, **kw)
    assert info.value.code == code, info.value
    assert world.digest() == before, "a refused operation changed the world"
    return info.value
