"""Driver conformance suite: one set of cases that any array driver must pass.

It takes a driver and a *backdoor* (ground truth about the same array: provisioning,
block I/O, time), skips what the driver does not declare in its Capabilities, tracks every
object it creates and proves at the end that none leaked (the csi-test sanity model).
"""

from apprm_ref.conformance.harness import Backdoor, CaseResult, Harness, run_suite

__all__ = ["Backdoor", "CaseResult", "Harness", "run_suite"]
