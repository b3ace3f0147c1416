"""The VSS backend of a world: one :class:`VssService` per Windows host, kept as plain data.

It joins the world as an application backend (``world.apps``, kind ``vss``) so a saved
world holds the services' writer status, shadow copies and providers and a load rebuilds
them. :func:`vss_service` is how a door, a driver or another simulator finds a host's
service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import NotFoundError
from apprm_ref.persist import persistable
from apprm_ref.sim.vss.service import VssService


@persistable("vss.Backend")
@dataclass(eq=False)
class VssBackend:
    name: str = "vss"
    services: dict[str, VssService] = field(default_factory=dict)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    kind = "vss"

    def attach(self, world: Any) -> None:
        self.world = world
        for host in sorted(self.services):
            self.services[host].world = world

    def add_host(self, host: str, providers: list[Any]) -> VssService:
        if host in self.services:
            raise NotFoundError(f"VSS already runs on {host}")
        svc = VssService(host, providers=list(providers))
        svc.world = self.world
        self.services[host] = svc
        return svc

    def service(self, host: str) -> VssService:
        try:
            return self.services[host]
        except KeyError:
            raise NotFoundError(f"no VSS service on host {host}") from None

    def check_invariants(self) -> list[str]:
        out: list[str] = []
        for host in sorted(self.services):
            out += self.services[host].problems()
        return out


def vss_backend(world: Any) -> VssBackend:
    found = [b for _, b in sorted(world.apps.items()) if isinstance(b, VssBackend)]
    if not found:
        raise NotFoundError("the world has no VSS (add an application of type vss)")
    return found[0]


def vss_service(world: Any, host: str) -> VssService:
    return vss_backend(world).service(host)
