"""The internal database (IDB): sessions, specifications, the ZDB replica database, configs.

``make_engine`` opens it (SQLite file with WAL by default, any SQLAlchemy URL, ``sqlite://``
in memory); ``SqlRepository`` implements :class:`apprm_ref.core.repository.Repository`:
on SQLite through the fast path (``sqlite_store``, ``sqlite_ops``, ``replica_cache``,
``statements``), on any other dialect through the ORM (``orm.OrmRepository``).
"""
