"""Build hook for the one compiled part: the Oracle workload's draw loop (a C extension).

Everything else is in pyproject.toml. The extension is optional: where it cannot be built
the package installs without it and the pure-Python loop runs (same digests, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "apprm_ref.sim.oracle._epochc",
            ["apprm_ref/sim/oracle/_epochc.c"],
            optional=True,
        )
    ]
)
