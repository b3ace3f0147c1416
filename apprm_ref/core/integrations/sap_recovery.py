"""Recovery of an SAP database after instant recovery, through BRRECOVER (oracle-sap.md
§9.3, sap-vss-addendum.md SAP-13).

The targets are Oracle's (now, time, SCN, log sequence; exclusive bounds, OS-I9) and map to
``brrecover -t complete`` or ``-t dbpit`` with ``-pit <yyyy-mm-dd hh.mi.ss>`` (dots, as in
SAP's worked example), ``-scn`` or ``-seq``. BRRECOVER recovers with the current control
file and restores the archived logs it misses with ``brrestore -a`` from the backint store
(OS-P16), so ``until cancel`` and a backup control file are refused before anything stops.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions
from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions
from apprm_ref.errors import RecoveryError


@dataclass(frozen=True)
class SapRecoveryOptions(OracleRecoveryOptions):
    """The SAP half of an instant recovery: Oracle's targets, carried out by BRRECOVER."""

    device: str = "util_file"  # brrecover -d: must be the archive backups' device (S-6)


def sap_options(options: RecoveryOptions) -> SapRecoveryOptions:
    from apprm_ref.core.options import narrow

    opts = narrow(SapRecoveryOptions, options, owner="application 'sap'", field="recovery")
    if opts.until == "cancel":
        raise RecoveryError("BRRECOVER has no recovery until cancel", code="BAD_OPTION")
    if opts.use_backup_controlfile:
        raise RecoveryError(
            "BRRECOVER recovers with the current control file (no backup control file)",
            code="BAD_OPTION",
        )
    if opts.until == "time" and opts.time is not None and opts.time != int(opts.time):
        raise RecoveryError(
            "BRRECOVER -pit takes whole seconds (yyyy-mm-dd hh.mi.ss)", code="BAD_OPTION"
        )
    needs = {"scn": opts.scn, "time": opts.time, "sequence": opts.sequence}
    if opts.until in needs and needs[opts.until] is None:
        raise RecoveryError(f"recovery until {opts.until} needs a value", code="BAD_OPTION")
    return opts


def brrecover_argv(ctx: SessionContext, opts: SapRecoveryOptions) -> list[str]:
    argv = ["-u", "/", "-c", "force", "-d", opts.device]
    if opts.until == "now":
        return [*argv, "-t", "complete"]
    argv += ["-t", "dbpit"]
    if opts.until == "time":
        when = ctx.drivers.epoch_seconds(float(opts.time or 0.0))
        return [*argv, "-pit", when.strftime("%Y-%m-%d"), when.strftime("%H.%M.%S")]
    if opts.until == "scn":
        return [*argv, "-scn", str(opts.scn)]
    return [*argv, "-seq", str(opts.sequence)]
