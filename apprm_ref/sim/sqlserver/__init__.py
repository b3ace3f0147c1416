"""SQL Server simulator: instances on simulated Windows hosts whose databases keep their data
(``.mdf``) and log (``.ldf``) files on NTFS volumes, so a VSS snapshot or an instant recovery
really carries or reverts what the server wrote.

- ``instance.SqlServerInstance``: the world application (``kind = "mssql"``): databases,
  the service (dies with its host, starts automatically and recovers its databases), the
  error log with the server's messages, ``transact``/``apply_workload``, I/O freeze and thaw
  for snapshots, ``data()``; ``fold`` is the test oracle of committed rows at an instant.
- ``database.SqlDatabase``: write-ahead logging, checkpoints (MinLSN on the boot page), a
  circular log with automatic checkpoints and 9002 when an active transaction holds it,
  row locks (1222), and recovery from the files alone: analysis, redo, undo.
- ``formats``: the blocks on the files; ``errors``: SQL Server error numbers and texts.
- ``writer.SqlServerWriter``: the SQL writer on the VSS simulator's writer interface (one
  FILE_GROUP component per database, backupSchema 881, VSS-2), published by the instance's
  ``vss_writers(host)``.
- ``estate``: the ``applications: - type: mssql`` entry and its builder; ``failures``: the drill
  actions ``writer_hang``, ``writer_service_restart``, ``dropped_table``.
- ``vss_door`` / ``vss_restore_door``: the product's VSS driver over the VSS simulator
  (``drivers/vss.py``), used by both VSS application kinds.

Inferred (configurable where it matters): SIMPLE recovery only (the FULL model's log backups
are not modelled), one row per key and no schema, a write refused while I/O is frozen (the
server would hold the writer), ``master`` not modelled (the instance keeps its database list).
"""
