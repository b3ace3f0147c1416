"""Oracle simulator: a small but real database engine whose files live on the simulated
host's filesystems (so an array instant recovery really changes what the database sees).

Create a database on mounted filesystems (``estate.build_estate`` gives a ready world)::

    from apprm_ref.sim.oracle.backend import OracleDatabase
    from apprm_ref.sim.oracle.models import simple_layout, fold
    db = OracleDatabase.create(world, "PRD", "db1", simple_layout())   # OPEN, ARCHIVELOG
    db.workload(50)                        # one epoch: 50 commits, one redo batch
    db.apply_workload(50)                  # the same epoch, returns the count (bench, drill)
    db.transact([(("insert", "T_USERS", "k1", "v1"),)])                # fine-grained
    db.data()                              # {table: {key: value}} committed, DB OPEN
    fold(db.history.commits, below_scn=x)  # what recovery until SCN x must give

Doors: ``driver.OracleSimDriver(world, db_name)`` (the ``OracleDriver`` Protocol of
``apprm_ref.drivers.oracle``), ``dbapi.module(world)`` (a drop-in for the ``oracledb``
module: ``connect(dsn=, user=, password=, mode=)``, python-oracledb's exception classes;
SQL in ``sql``/``sqlselect``/``dml``, the recovery dialogue in ``dialogue``), ``rman.run``
(RESTORE CONTROLFILE). The database is composed of parts, each holding it (``db.files``,
``db.redo`` ...): ``files`` (I/O), ``redo`` (LGWR, switches, archiving), ``lifecycle``
(states), ``transactions`` (``db.txn``: commits, workload, DBWR, checkpoints), ``recovery``
(media/crash recovery, RESETLOGS), ``admin`` (backup mode, ctl copies, close/dismount),
``invariants`` (OS-I1, I2, I5, I6, I7, I8); ``creation`` makes a new database's files. Also
``formats`` (on-disk blocks), ``views`` (V$), ``dictviews`` (DUAL, DBA_*, V$RECOVER_FILE).
"""
