"""Swarm testing: many seeds of a scenario, each with its own randomly drawn fault plan.

After the style of FoundationDB's simulation and TigerBeetle's VOPR: a seed draws which
catalogued fault sites are armed and how often (``plan``); the drill runs with safety checks
at every quiescent step, then faults stop and a liveness phase demands that every session
ends and the estate converges (``checks``); a failing seed is shrunk to a smaller scenario
file that still fails and replays to the same digest (``shrink``). Seeds run in local
processes or on a Dask distributed cluster (``execute``).
"""
