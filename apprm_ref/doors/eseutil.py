"""Console door: ``eseutil /mh``, ``/k`` and ``/r`` against a lab's files, as a host runs it.

``eseutil /mh "E:\\SG1\\Mailbox Database.edb"`` with ``APPRM_HOST`` naming the Windows host
it runs on; the world is the lab's in ``$APPRM_HOME`` (default ``./.apprm``), a snapshot for
/mh and /k, under the writer lock for /r (committed when recovery succeeds). What it prints
and its exit status, the JET error (a POSIX shell sees its low byte), are
``apprm_ref.sim.exchange.eseutil.run``'s.
"""

from __future__ import annotations

import os
import sys

from apprm_ref.errors import ApprmError
from apprm_ref.sim.exchange.eseutil import Result, run

__all__ = ["Result", "console", "main", "run"]


def main(argv: list[str] | None = None) -> int:
    from apprm_ref.lab.handle import LabHandle, register_backends

    register_backends()
    argv = list(sys.argv[1:] if argv is None else argv)
    host = os.environ.get("APPRM_HOST", "")
    if not host:
        print("eseutil: set APPRM_HOST to the Windows host it runs on", file=sys.stderr)
        return -1003
    write = bool(argv) and argv[0].lower() in ("/r", "-r")
    lab = LabHandle.from_env(os.environ, write=write)
    try:
        try:
            world = lab.open_waiting(os.environ).world
        except (ApprmError, OSError, ValueError) as exc:
            print(f"eseutil: {exc}", file=sys.stderr)
            return -1811
        res = run(world, host, argv)
        sys.stdout.write(res.text)
        if write and res.rc == 0:
            lab.commit()
    finally:
        lab.close()
    return res.rc


def console() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console()
