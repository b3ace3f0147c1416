"""Performance benchmarks (``python -m bench.estate``, ``python -m bench.scaling``), printing JSON.

Measured in simulated days per wall-second and events per wall-second, and compared with
the raw SimPy event rate of the same machine in the same run (``bench.kernel``), so the
ratio is comparable across machines. Never used by timed unit tests.
"""
