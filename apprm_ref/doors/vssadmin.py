"""Console door: ``vssadmin list writers|shadows|providers`` against a lab, as the host
``%COMPUTERNAME%`` runs it. Read-only: the lab is opened as a snapshot.
``python -m apprm_ref.doors.vssadmin list writers`` or the ``vssadmin`` console script.
"""

from __future__ import annotations

import sys

from apprm_ref.doors.vss_lab import with_lab


def main(argv: list[str] | None = None) -> int:
    from apprm_ref.sim.vss.backend import vss_service
    from apprm_ref.sim.vss.vssadmin import vssadmin

    args = list(sys.argv[1:] if argv is None else argv)
    rc, out, err = with_lab(
        "vssadmin", False, lambda world, host: vssadmin(vss_service(world, host), args)
    )
    sys.stdout.write(out)
    sys.stderr.write(err)
    return rc


if __name__ == "__main__":
    sys.exit(main())
