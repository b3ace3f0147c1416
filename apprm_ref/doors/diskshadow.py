"""Console door: ``diskshadow /s script.dsh [/l log.txt]`` (or commands on stdin) against a
lab, on the host ``%COMPUTERNAME%``. The script and log are files of the machine running the
door; ``set metadata`` / ``load metadata`` files live on the simulated host. Everything the
script did is committed in one transaction, also when a later command failed (diskshadow
quits, what it did stays done, as on Windows); a script refused at its first command
changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from apprm_ref.doors.vss_lab import with_lab


def main(argv: list[str] | None = None) -> int:
    from apprm_ref.sim.vss.backend import vss_service
    from apprm_ref.sim.vss.runner import parse_args, run_script

    script, log, bad = parse_args(list(sys.argv[1:] if argv is None else argv))
    if bad:
        sys.stderr.write(bad)
        return 1
    try:
        body = Path(script).read_text() if script else sys.stdin.read()
    except OSError as exc:
        sys.stderr.write(f"The file {script} could not be found. ({exc.strerror})\n")
        return 1

    def go(world, host):  # type: ignore[no-untyped-def]
        rc, out = run_script(vss_service(world, host), body, script=bool(script))
        return rc, out, ""

    rc, out, err = with_lab("diskshadow", True, go)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if log:
        Path(log).write_text(out)
    return rc


if __name__ == "__main__":
    sys.exit(main())
