"""Lab integrity: one transaction for world and IDB, one writer per lab, crash repair.

See :mod:`apprm_ref.lab.store` for the design and ``docs/architecture.md`` ("Lab integrity").
Nothing in ``core/`` imports this package.
"""
