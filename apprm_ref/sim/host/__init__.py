"""Simulated hosts: devices mapped to array LUNs, LVM-style volume groups, filesystems, files."""
