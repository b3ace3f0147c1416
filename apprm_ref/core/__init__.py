"""Orchestration: specs, sessions, ZDB flows, rotation, instant recovery, scheduling.

core/ sees only the Protocols in drivers/ and the IDB; never a simulator or real driver.
"""
