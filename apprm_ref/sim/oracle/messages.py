"""ORA- message texts (abridged standard texts) and a builder for :class:`OracleError`.

The error's message carries every line of the stack the way SQL*Plus prints it, so a DB-API
door can hand the same text to a client and a real driver can parse the codes back.
"""

from __future__ import annotations

from apprm_ref.errors import OracleError

TEXTS: dict[str, str] = {
    "ORA-00001": "unique constraint ({}) violated",
    "ORA-00205": "error in identifying control file, check alert log for more info",
    "ORA-00214": "control file '{}' version inconsistent with file '{}'",
    "ORA-00257": "archiver error. Connect internal only, until freed.",
    "ORA-00264": "no recovery required",
    "ORA-00278": "log file '{}' no longer needed for this recovery",
    "ORA-00279": "change {} generated at {} needed for thread {}",
    "ORA-00280": "change {} for thread {} is in sequence #{}",
    "ORA-00283": "recovery session canceled due to errors",
    "ORA-00289": "suggestion : {}",
    "ORA-00308": "cannot open archived log '{}'",
    "ORA-00310": "archived log contains sequence {}; sequence {} required",
    "ORA-00313": "open failed for members of log group {} of thread 1",
    "ORA-00334": "archived log: '{}'",
    "ORA-00942": "table or view does not exist",
    "ORA-01017": "invalid username/password; logon denied",
    "ORA-01031": "insufficient privileges",
    "ORA-01034": "ORACLE not available",
    "ORA-01078": "failure in processing system parameters",
    "ORA-01081": "cannot start already-running ORACLE - shut it down first",
    "ORA-01100": "database already mounted",
    "ORA-01103": "database name '{}' in control file is not '{}'",
    "ORA-01109": "database not open",
    "ORA-01110": "data file {}: '{}'",
    "ORA-01112": "media recovery not started",
    "ORA-01113": "file {} needs media recovery",
    "ORA-01122": "database file {} failed verification check",
    "ORA-01123": "cannot start online backup; media recovery not enabled",
    "ORA-01126": "database must be mounted in this instance and not open in any instance",
    "ORA-01139": "RESETLOGS option only valid after an incomplete database recovery",
    "ORA-01142": "cannot end online backup - none of the files are in backup",
    "ORA-01146": "cannot start online backup - file {} is already in backup",
    "ORA-01149": "cannot shutdown - file {} has online backup set",
    "ORA-01153": "an incompatible media recovery is active",
    "ORA-01157": "cannot identify/lock data file {} - see DBWR trace file",
    "ORA-01152": "file {} was not restored from a sufficiently old backup",
    "ORA-01190": "control file or data file {} is from before the last RESETLOGS",
    "ORA-01194": "file {} needs more recovery to be consistent",
    "ORA-01195": "online backup of file {} needs more recovery to be consistent",
    "ORA-01207": "file is more recent than control file - old control file",
    "ORA-01219": "database not open: queries allowed on fixed tables/views only",
    "ORA-01260": "warning: END BACKUP succeeded but some files found not to be in backup mode",
    "ORA-01507": "database not mounted",
    "ORA-01531": "a database already open by the instance",
    "ORA-01547": "warning: RECOVER succeeded but OPEN RESETLOGS would get error below",
    "ORA-01580": "error creating control backup file {}",
    "ORA-01588": "must use RESETLOGS option for database open",
    "ORA-01589": "must use RESETLOGS or NORESETLOGS option for database open",
    "ORA-01610": "recovery using the BACKUP CONTROLFILE option must be done",
    "ORA-00959": "tablespace '{}' does not exist",
    "ORA-03113": "end-of-file on communication channel",
    "ORA-10873": "file {} needs to be either taken out of backup mode or media recovered",
    "ORA-27038": "created file already exists",
    "ORA-27040": "file create error, unable to create file",
    "ORA-27037": "unable to obtain file status",
    "ORA-27101": "shared memory realm does not exist",
    "LRM-00109": "could not open parameter file '{}'",
}


def line(code: str, *args: object) -> str:
    text = TEXTS.get(code, "")
    if args and "{}" in text:
        text = text.format(*args)
    return f"{code}: {text}"


def ora(
    code: str, *args: object, stack: tuple[tuple[str, tuple[object, ...]], ...] = ()
) -> OracleError:
    """``ora("ORA-01113", 4, stack=(("ORA-01110", (4, path)),))`` -> OracleError."""
    lines = [line(code, *args).split(": ", 1)[1]] + [line(c, *a) for c, a in stack]
    return OracleError("\n".join(lines), code=code, stack=tuple(c for c, _ in stack))


def file_error(code: str, file_no: int, name: str, *more: str) -> OracleError:
    """An error about one datafile, followed by ORA-01110 naming it (as Oracle prints)."""
    stack: list[tuple[str, tuple[object, ...]]] = [("ORA-01110", (file_no, name))]
    stack.extend((c, ()) for c in more)
    return ora(code, file_no, stack=tuple(stack))


def wrap(code: str, inner: OracleError) -> OracleError:
    """``code`` on top of another error's stack (ORA-01547 over ORA-01195 + ORA-01110)."""
    return OracleError(
        TEXTS[code] + "\n" + str(inner), code=code, stack=(inner.code or "", *inner.stack)
    )
