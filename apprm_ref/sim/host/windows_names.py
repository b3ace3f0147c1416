"""Windows names and messages of the simulated Windows hosts: error codes with the text
Windows prints, access-path syntax (drive letters, mount folders) and GUID formats."""

from __future__ import annotations

import hashlib
import re

from apprm_ref.errors import HostError
from apprm_ref.sim.host.models import Host, Mount

# Win32 system error codes and VDS HRESULTs, with the text Windows prints for them
# (learn.microsoft.com/windows/win32/debug/system-error-codes--0-499- ;
#  learn.microsoft.com/windows/win32/vds/virtual-disk-service-common-return-codes)
ERRORS: dict[str, tuple[int, str]] = {
    "ERROR_PATH_NOT_FOUND": (3, "The system cannot find the path specified."),
    "ERROR_WRITE_PROTECT": (19, "The media is write protected."),
    "ERROR_NOT_READY": (21, "The device is not ready."),
    "ERROR_DIR_NOT_EMPTY": (145, "The directory is not empty."),
    "ERROR_UNRECOGNIZED_VOLUME": (1005, "The volume does not contain a recognized file system."),
    "VDS_E_OBJECT_NOT_FOUND": (0x80042405, "The specified object was not found."),
    "VDS_E_PARTITION_LIMIT_REACHED": (
        0x80042407,
        "No more partitions can be created on the specified disk.",
    ),
    "VDS_E_NOT_ENOUGH_SPACE": (0x8004240F, "There is not enough space to complete the operation."),
    "VDS_E_DEVICE_IN_USE": (0x80042413, "The device is currently in use."),
    "VDS_E_INVALID_OPERATION": (0x80042415, "The specified operation is not valid."),
    "VDS_E_DISK_NOT_INITIALIZED": (0x80042417, "The specified disk has not been initialized."),
    "VDS_E_DISK_NOT_ONLINE": (0x8004244B, "The disk is not online."),
    "VDS_E_DRIVE_LETTER_NOT_FREE": (
        0x8004255C,
        "The specified drive letter is not free to be assigned.",
    ),
}
SYSTEM_LETTERS = ("C",)  # the unmodelled system volume
_LETTER = re.compile(r"^([A-Za-z]):\\?$")
_FOLDER = re.compile(r"^[A-Za-z]:\\.+$")


def win_error(name: str, detail: str) -> HostError:
    number, text = ERRORS[name]
    shown = f"0x{number:08X}" if number > 0xFFFF else str(number)
    return HostError(f"{detail}: {text} ({shown})", code=name)


def access_path(path: str) -> str:
    """``D:``/``D:\\`` -> ``D:\\``; ``D:\\mnt\\x`` -> ``D:\\mnt\\x\\`` (the form mountvol takes)."""
    m = _LETTER.match(path)
    if m:
        return m.group(1).upper() + ":\\"
    if _FOLDER.match(path):
        return path[0].upper() + path[1:].rstrip("\\") + "\\"
    raise win_error("ERROR_PATH_NOT_FOUND", f"{path!r} is neither a drive letter nor a folder")


def win_scan_mounts(host: Host, path: str) -> tuple[Mount, str]:
    """The access path holding ``path`` (longest, case-insensitive) and the rest of it."""
    key, best = path.upper(), None
    for mp in host.mounts:
        up = mp.upper()
        if (key.startswith(up) or key + "\\" == up) and (best is None or len(mp) > len(best)):
            best = mp
    if best is None:
        raise win_error("ERROR_PATH_NOT_FOUND", f"{path} on {host.name}")
    return host.mounts[best], path[len(best) :]


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _guid(*parts: str) -> str:
    h = _hex(*parts)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
