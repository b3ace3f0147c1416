"""The ``backint`` console program over a lab: BC-BRI as a host runs it.

``backint -u <SID> -f backup|restore|inquire|delete [-t file|file_online] [-p <par_file>]
[-i <in_file>] [-o <out_file>] [-c]``. The lab is ``$APPRM_HOME`` (default ``./.apprm``),
opened with its writer lock; the files are those of the host ``$APPRM_HOST`` (default the
host of the SAP system whose SID is ``-u``), the copies go to the cell manager's backint
store in the lab's IDB, and the command's catalogue entries, data and restored files are
committed together (one lab transaction) whatever its exit code, as a backup device keeps
what it wrote. Standard input is the input list when ``-i`` is absent.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from apprm_ref.core.integrations.sap_store import RepoBackintStore
from apprm_ref.errors import ApprmError
from apprm_ref.lab.handle import LabHandle, register_backends
from apprm_ref.real import sap_backint
from apprm_ref.real.sap_backint_sim import SimHostFiles

RC_FATAL = 2


def _host(world: Any, sid: str | None, env: dict[str, str]) -> str:
    if env.get("APPRM_HOST"):
        return env["APPRM_HOST"]
    systems = [a for _, a in sorted(world.apps.items()) if getattr(a, "kind", "") == "sap"]
    found = [s for s in systems if s.sid == sid]
    if len(found) != 1:
        raise ApprmError(f"no SAP system {sid!r} in the lab; set APPRM_HOST")
    return str(found[0].host)


def _user(argv: list[str]) -> str | None:
    return argv[argv.index("-u") + 1] if "-u" in argv[:-1] else None


def main(argv: list[str] | None = None) -> int:
    register_backends()
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ)
    lab = LabHandle.from_env(env, write=True)
    try:
        try:
            world = lab.open_waiting(env).world
            files = SimHostFiles(world.hosts, _host(world, _user(args), env))
        except (ApprmError, OSError, ValueError) as exc:
            print(f"backint: {exc}", file=sys.stderr)
            return RC_FATAL
        assert lab.store is not None and lab.store.repo is not None
        stdin = "" if "-i" in args else sys.stdin.read()
        rc, out, err = sap_backint.run(
            args, store=RepoBackintStore(lab.store.repo), files=files, stdin=stdin, env=env
        )
        sys.stdout.write(out)
        sys.stderr.write(err)
        if rc != RC_FATAL:
            lab.commit()
    finally:
        lab.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
