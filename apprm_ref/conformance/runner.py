"""Run the conformance suite on a subject: every check of its family, in registration order.

The original ground-truth cases (``snapshot_cases``, ``split_mirror_cases``) run as checks
``case.<name>`` that need the backdoor; every other check judges through the driver alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apprm_ref.conformance.suite import (
    CHECKS,
    SMALL_FAMILIES,
    Check,
    CheckResult,
    Ctx,
    Subject,
    expect,
    register,
    run_check,
)
from apprm_ref.conformance.vocabulary import KNOWN_FEATURES
from apprm_ref.errors import ConfigError

MIN_CHECKS = 120


@dataclass(frozen=True)
class Family:
    observe: Callable[[Subject], Any]  # everything a refusal must leave unchanged
    inventory: Callable[[Subject], Any]  # what a leak would show


def families() -> dict[str, Family]:
    from apprm_ref.conformance import (
        exchange_checks,
        host_checks,
        oracle_backup_checks,  # noqa: F401
        oracle_checks,
        sap_checks,
        snapshot_checks,
        snapshot_replica_checks,  # noqa: F401
        split_checks,
        split_state_checks,  # noqa: F401
        vss_checks,
    )

    _register_common()
    return {
        "snapshot-array": Family(snapshot_checks.observe, snapshot_checks.inventory),
        "split-mirror-array": Family(split_checks.observe, split_checks.inventory),
        "oracle": Family(oracle_checks.observe, oracle_checks.inventory),
        "host": Family(host_checks.observe, host_checks.inventory),
        "sap": Family(sap_checks.observe, sap_checks.inventory),
        "vss": Family(vss_checks.observe, vss_checks.inventory),
        "exchange": Family(exchange_checks.observe, exchange_checks.inventory),
    }


def _known_features(ctx: Ctx) -> None:
    caps = ctx.driver.capabilities()
    known = KNOWN_FEATURES.get(caps.kind)
    expect(known is not None, f"unknown driver kind {caps.kind!r}")
    unknown = sorted(set(caps.features) - set(known or ()))
    expect(not unknown, f"the driver declares capabilities no family defines: {unknown}")


def _legacy(kind: str, name: str, fn: Any) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        from apprm_ref.conformance.harness import run_case

        result = run_case(ctx.driver, ctx.backdoor(), name, fn)
        if result.outcome == "skipped":
            from apprm_ref.conformance.suite import Skip

            raise Skip(result.detail)
        expect(result.outcome == "passed", result.detail)

    return run


_DONE: set[str] = set()


def _register_common() -> None:
    from apprm_ref.conformance.harness import cases_for

    for kind in KNOWN_FEATURES:
        if kind in _DONE:
            continue
        _DONE.add(kind)
        register(
            kind,
            "capabilities.known",
            "every declared capability is one the family defines",
            _known_features,
        )
        for name, fn in cases_for(kind):
            doc = (fn.__doc__ or name.replace("_", " ")).strip().splitlines()[0]
            register(
                kind, f"case.{name}", f"ground truth: {doc}", _legacy(kind, name, fn), backdoor=True
            )


def checks_for(kind: str) -> list[Check]:
    families()
    return list(CHECKS.get(kind, {}).values())


def run(
    subject: Subject, *, observe_only: bool = False, only: str | None = None
) -> list[CheckResult]:
    fams = families()
    kind = subject.family
    if kind not in fams:
        raise ConfigError(f"no conformance checks for driver kind {kind!r}", field="--driver")
    fam = fams[kind]
    chosen = [c for c in checks_for(kind) if only in (None, c.id)]
    if only is not None and not chosen:
        raise ConfigError(f"no check {only!r} for {kind}", field="--check")
    return [run_check(subject, c, fam.observe, fam.inventory, observe_only) for c in chosen]


def note(kind: str) -> str:
    """Why a family has fewer than MIN_CHECKS checks (empty when it has enough)."""
    if len(checks_for(kind)) >= MIN_CHECKS:
        return ""
    return SMALL_FAMILIES.get(kind, f"only {len(checks_for(kind))} checks and no reason given")
