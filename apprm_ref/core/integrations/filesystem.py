"""Filesystem integration: protect mount points of the application system.

The filesystem is frozen around the replica creation so the replica is crash-consistent
at the filesystem level; nothing else needs quiescing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions, Steps
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.errors import ConfigError
from apprm_ref.types import VolumeRef

ORIGIN = "VBDA"


class FilesystemIntegration:
    kind = "filesystem"

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> dict[str, Any]:
        allowed = {"freeze"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise ConfigError(
                f"unknown filesystem option {unknown[0]!r}", field=f"application.{unknown[0]}"
            )
        freeze = raw.get("freeze", True)
        if not isinstance(freeze, bool):
            raise ConfigError("must be true or false", field="application.freeze")
        return {"freeze": freeze}

    def objects(self, ctx: SessionContext) -> list[str]:
        assert ctx.spec is not None
        return list(ctx.spec.objects)

    def source_paths(self, ctx: SessionContext) -> list[str]:
        return self.objects(ctx)

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        assert ctx.spec is not None
        host = ctx.spec.application_system
        for mp in ctx.spec.objects:
            info = ctx.drivers.host.mount_of(host, mp)
            if info.mount_point != mp:
                raise ConfigError(f"{mp} is not a mount point on {host}", field="objects")

    def before_quiesce(self, ctx: SessionContext) -> Steps:
        return
        yield

    def quiesce(self, ctx: SessionContext) -> Steps:
        assert ctx.spec is not None
        if not ctx.app_options.get("freeze", True):
            return
        host = ctx.spec.application_system
        for mp in ctx.spec.objects:
            ctx.drivers.host.freeze(host, mp)
            ctx.undo.push(f"thaw {mp}", partial(ctx.drivers.host.thaw, host, mp))
        ctx.info(f"{ORIGIN}@{host}", f"Filesystems frozen: {', '.join(ctx.spec.objects)}")
        yield from ()

    def release(self, ctx: SessionContext) -> Steps:
        assert ctx.spec is not None
        if not ctx.app_options.get("freeze", True):
            return
        host = ctx.spec.application_system
        for mp in ctx.spec.objects:
            ctx.drivers.host.thaw(host, mp)
            ctx.undo.discard(f"thaw {mp}")
        ctx.info(f"{ORIGIN}@{host}", "Filesystems thawed")
        yield from ()

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        return
        yield

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        return
        yield

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        return
        yield
