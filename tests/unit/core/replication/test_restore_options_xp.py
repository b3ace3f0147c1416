"""The XP family's restore options: the common base plus ``retain_source`` (EXT-I3)."""

from __future__ import annotations

import pytest
from xp_estate import make_estate

from apprm_ref.core.replication.base import (
    RestoreOptions,
    SplitMirrorRestoreOptions,
    restore_options_for,
)
from apprm_ref.errors import ConfigError


@pytest.mark.rule("EXT-I3")
def test_xp_model_adds_retain_source_and_takes_the_common_base() -> None:
    est = make_estate({"mu": "0-2"}, pairs=(0, 1, 2), spares=2)
    drv = est.orch.drivers.array("xp1")
    opts = restore_options_for(drv, {"method": "quick", "retain_source": False})
    assert opts == SplitMirrorRestoreOptions(method="quick", retain_source=False)
    carried = restore_options_for(drv, RestoreOptions(method="normal", keep_replica=True))
    assert carried == SplitMirrorRestoreOptions(method="normal", keep_replica=True)
    assert carried.retain_source is True  # the project's default safety copy
    with pytest.raises(ConfigError, match="it has: method, keep_replica, retain_source"):
        restore_options_for(drv, {"mirror": 1})
