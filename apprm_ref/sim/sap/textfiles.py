"""Text files on a simulated host's filesystems (profiles, logs, BACKINT lists).

A text file is one block holding the whole text, so it survives a remount and goes with its
volume into a replica, like every other file of the host. Missing directories do not
matter: the host's filesystems name files by path.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import HostError


def exists(hosts: Any, host: str, path: str) -> bool:
    try:
        return bool(hosts.file_exists(host, path))
    except HostError:
        return False


def read(hosts: Any, host: str, path: str) -> str | None:
    """The text, or None when the file is missing (or not a text file)."""
    if not exists(hosts, host, path):
        return None
    data = hosts.read_block(host, path, 0)
    return data if isinstance(data, str) else None


def write(hosts: Any, host: str, path: str, text: str) -> None:
    """Create or overwrite; a path on no mounted filesystem raises the host's HostError."""
    if not exists(hosts, host, path):
        hosts.create_file(host, path, 1)
    hosts.write_file(host, path, {0: text})


def append(hosts: Any, host: str, path: str, text: str) -> None:
    write(hosts, host, path, (read(hosts, host, path) or "") + text)


def delete(hosts: Any, host: str, path: str) -> None:
    if exists(hosts, host, path):
        hosts.delete_file(host, path)
