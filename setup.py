"""Build hook for the compiled parts: the Oracle simulator's hot loops, the host write
path's usual case, the copy of the IDB cache's JSON parts and the body of frozen
dataclasses' ``__init__`` (C extensions).

Everything else is in pyproject.toml. Each extension is optional: where it cannot be built
the package installs without it and the pure-Python code runs (same digests, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "apprm_ref.sim.oracle._epochc",
            ["apprm_ref/sim/oracle/_epochc.c"],
            optional=True,
        ),
        Extension(
            "apprm_ref.sim._iopathc",
            ["apprm_ref/sim/_iopathc.c"],
            optional=True,
        ),
        Extension(
            "apprm_ref._frozenc",
            ["apprm_ref/_frozenc.c"],
            optional=True,
        ),
        Extension(
            "apprm_ref.idb._copyc",
            ["apprm_ref/idb/_copyc.c"],
            optional=True,
        ),
    ]
)
