"""What-if planning: a year of an estate's specs and schedules run on the simulators.

``apprm whatif ESTATE.yaml`` builds the estate's world, creates its specs, lets the core
Scheduler start every scheduled session and applies the declared workloads, exactly as a
drill would, then reports what the year did: capacity over time per disk group and array,
snapshot-limit and MU headroom, queued and overlapping sessions, the RPO each spec
achieved and what each rotation kept. Nothing is estimated analytically: every figure is
read from the simulated arrays and the sessions that ran.
"""
