"""BR*Tools message texts and return codes, as the tools print them.

Messages have the form ``BR<NNNN><I|W|E> text``; the 4.6C library lists three-digit numbers
(``BR068E``), 7.x prints four (``BR0068E``) by the same numbering (SAP Library "Messages and
Return Codes for BR*Tools", help.sap.com saphelp_nw73 .../47/316532be952036e10000000a114a6b;
4.6C message pages "BR071E to BR115I", "BR116I to BR151E", "BR152I to BR181E", "BR308I to
BR339W", "BR430E to BR464W", "BR465E to BR468I" under .../saphelp_46c/helpdata/en/0d/).
Texts marked ``# I`` are the 7.x wording as captured BR*Tools logs print it; the library page
for that range was not reachable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Return codes (SAP-1): 0 ok, 1 warnings (all files processed), 2 cancelled in
# initialisation, 3 errors in initialisation, 4 cancelled in processing, 5 errors in
# processing, 6 internal termination, 9 still running (a summary-log line of a run in flight).
RC_OK, RC_WARN, RC_CANCEL_INIT, RC_INIT, RC_CANCEL, RC_ERRORS, RC_INTERNAL, RC_RUNNING = (
    0, 1, 2, 3, 4, 5, 6, 9,
)  # fmt: skip

TEXTS: dict[str, str] = {
    # BRARCHIVE (4.6C BR002I..BR008I)
    "BR0002I": "BRARCHIVE {}",
    "BR0003I": "BRARCHIVE completed successfully",  # I
    "BR0004I": "BRARCHIVE completed successfully with warnings",  # I
    "BR0005I": "BRARCHIVE terminated with errors",
    "BR0006I": "Start of offline redo log processing: {} {}",
    "BR0007I": "End of offline redo log processing: {} {}",
    "BR0013W": "No offline redo log files found for processing",  # I
    "BR0016I": "{} offline redo log files processed, total size {:.3f} MB",  # I
    # BRBACKUP (4.6C BR051I.., 7.x texts I)
    "BR0051I": "BRBACKUP {}",
    "BR0052I": "BRBACKUP completed successfully",  # I
    "BR0053I": "BRBACKUP completed successfully with warnings",  # I
    "BR0054I": "BRBACKUP terminated with errors",  # I
    "BR0055I": "Start of database backup: {} {}",
    "BR0056I": "End of database backup: {} {}",
    "BR0068E": "SAP system is active - offline backup not allowed",  # I: the S-1 refusal
    "BR0071E": "BRBACKUP currently running or was killed",
    "BR0072I": "Please delete file {} if BRBACKUP was killed",
    "BR0077I": "Database files for backup: {}",
    "BR0078I": "Non-database files for backup: {}",
    "BR0080E": "File {} to be backed up not found",
    "BR0106I": "Files will be saved on disk in directories: {}",
    "BR0109I": "Files will be saved by backup utility at file level",
    "BR0124I": "Query option set - no processing",
    "BR0126I": "Unattended mode active - no confirmation required",
    "BR0130I": "Backup device type: {}",
    "BR0135I": "Query with check option set - no processing",
    "BR0142I": "Files will be switched to backup status during the backup",
    "BR0143I": "Backup type: {}",
    # option and profile errors (4.6C BR152I..BR181E)
    "BR0152I": "Environment variable {} is not set",
    "BR0153E": "Unknown option '{}' found at position {}",
    "BR0154E": "Unexpected option value '{}' found at position {}",
    "BR0155E": "No value found for option {}",
    "BR0156E": "Illegal value '{}' found for option {}",
    "BR0159E": "Error reading init_sap profile {}",
    "BR0160E": "Unexpected symbol '{}' found for parameter {}",
    "BR0161E": "More data expected in file {}",
    "BR0163E": "Unknown parameter {} found in file {}",
    "BR0164E": "Illegal value '{}' found for parameter {}",
    "BR0165E": "Parameter {} is not set in {}",
    "BR0168E": "Please define only one value for parameter {}",
    "BR0170E": "Value of parameter {} should be enclosed in double quotes",
    "BR0182E": "Checking parameter/option {} failed",
    # BACKINT and files
    "BR0229I": "Calling backup utility with function '{}'...",  # I
    "BR0230I": "Backup utility called successfully",  # I
    "BR0231E": "Backup utility call failed",  # I
    "BR0232I": "{} of {} files saved by backup utility",  # I
    "BR0233E": "Backup utility has reported an error while saving file {}",
    "BR0234I": "{} of {} files restored by backup utility",  # I
    "BR0279I": "Return code from '{}': {}",  # I
    "BR0256I": "Enter 'c[ont]' to continue, 's[top]' to cancel BRBACKUP:",  # I
    "BR0257I": "Your reply: '{}'",  # I
    "BR0260E": "{} cancelled by user",  # I
    "BR0273E": "Determination of file status for {} failed",
    "BR0274E": "File {} not found",
    "BR0278E": "Command output of '{}': {}",
    "BR0280I": "{} time stamp: {}",
    # Oracle actions (4.6C BR301..BR339)
    "BR0301E": "SQL error {} at location {}",  # I
    "BR0304I": "Starting and opening database instance {} ...",  # I
    "BR0305I": "Start and open of database instance {} successful",  # I
    "BR0307I": "Shutting down database instance {} ...",  # I
    "BR0308I": "Shutdown of database instance {} successful",
    "BR0309E": "Shutdown of database instance {} failed",
    "BR0310E": "Connect to database instance {} failed",
    "BR0315I": "'Alter tablespace {} begin backup' successful",
    "BR0316E": "'Alter tablespace {} begin backup' failed",
    "BR0317I": "'Alter tablespace {} end backup' successful",
    "BR0318E": "'Alter tablespace {} end backup' failed",
    "BR0319I": "Control file copied to {}",
    "BR0320E": "Copying of control file to {} failed",
    "BR0321I": "Switch to next online redo log file for database instance {} successful",
    "BR0322E": "Switch to next online redo log file for database instance {} failed",
    "BR0328E": "Database file {} from tablespace {} is already in backup status",
    # split command scenario (help.sap.com split_cmd / resync_cmd)
    "BR0287I": "Split command '{}' will be executed",  # I
    "BR0288I": "Mirror disks split successfully",  # I
    "BR0289E": "Splitting of mirror disks failed",  # I
    "BR0290I": "Resync command '{}' will be executed",  # I
    "BR0291I": "Mirror disks resynchronized successfully",  # I
    "BR0292E": "Resynchronization of mirror disks failed",  # I
    # BRRESTORE (4.6C BR401..BR468)
    "BR0401I": "BRRESTORE {}",
    "BR0402I": "BRRESTORE completed successfully",  # I
    "BR0403I": "BRRESTORE completed successfully with warnings",  # I
    "BR0404I": "BRRESTORE terminated with errors",  # I
    "BR0405I": "Start of database restore: {} {}",
    "BR0406I": "End of database restore: {} {}",
    "BR0407I": "Restore of database: {}",
    "BR0417E": "No files found for restoring",
    "BR0428W": "File {} will be overwritten",
    "BR0430E": "Start BRRESTORE either with '{}' or '{}' option",
    "BR0435E": "Last successful backup not found in {}",
    "BR0437E": "File {} to be restored was not backed up",
    "BR0438W": "Redo log sequence number {} not found in {}",
    "BR0439E": "No offline redo log files found in {} for restoring",
    "BR0456W": "Probably the database must be recovered due to restore from online backup!",
    # BACKINT (4.6C BR501I..BR514I)
    "BR0501I": "BACKINT {} {}",
    "BR0502I": "BACKINT terminated successfully",
    "BR0503I": "BACKINT terminated with warnings",
    "BR0504I": "BACKINT terminated with errors",
    "BR0505I": "End of BACKINT processing: {}",
    "BR0506I": "Error reading init_utl profile {}",
    "BR0510I": "File {} not processed by {}",
    "BR0511I": "Unknown file {} processed by {}",
    "BR0513I": "Backup of {} not found for backup ID {}",
    "BR0514I": "File {} never saved by {}",
    # BRRECOVER (7.x, I)
    "BR0701I": "BRRECOVER {}",
    "BR0702I": "BRRECOVER completed successfully",
    "BR0703I": "BRRECOVER completed successfully with warnings",
    "BR0704I": "BRRECOVER terminated with errors",
    "BR0705I": "Start of database recovery: {} {}",
    "BR0706I": "End of database recovery: {} {}",
    "BR0707I": "Recovery of database: {}",
    "BR0336I": "Recovery of database instance {} successful",  # I
    "BR0337E": "Recovery of database instance {} failed",  # I
}

VERSION = "7.00 (40)"


def msg(code: str, *args: object) -> str:
    """One message line: ``BR0068E SAP system is active - offline backup not allowed``."""
    return f"{code} {TEXTS[code].format(*args)}"


class BrError(Exception):
    """A refusal a tool reports with BR messages and ends with ``rc``."""

    def __init__(self, rc: int, *lines: str) -> None:
        super().__init__(lines[0] if lines else f"rc {rc}")
        self.rc = rc
        self.lines = list(lines)


@dataclass
class Output:
    """What a run prints (stdout) and writes to its detail log, line by line."""

    lines: list[str] = field(default_factory=list)

    def say(self, code: str, *args: object) -> str:
        line = msg(code, *args)
        self.lines.append(line)
        return line

    def raw(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


def worst(*rcs: int) -> int:
    return max(rcs, default=RC_OK)
