"""The drivers chosen for one estate (built by ``sim.build``, a lab or a real deployment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drivers.host import HostDriver
from apprm_ref.errors import ConfigError


@dataclass
class DriverSet:
    """Drivers chosen for one estate: arrays by name, the host driver, application drivers."""

    arrays: dict[str, Any]
    host: HostDriver
    apps: dict[str, Any] = field(default_factory=dict)
    epoch_seconds: Any = None  # callable: simulated seconds -> datetime (for session IDs)

    def array(self, name: str) -> Any:
        try:
            return self.arrays[name]
        except KeyError:
            raise ConfigError(f"no array named {name!r} in this estate", field="array") from None
