"""Schema revisions of the IDB, by Alembic migrations from the first released schema.

A new IDB is created at the newest revision and stamped with it (``alembic_version``). An
IDB made before revisions were recorded is recognised by its shape: the first release
(``0001``) still has the four indexes ``0002`` dropped, and a target ``identity`` column
came with ``0003``. Opening an IDB at an older revision is refused with the command that
upgrades it (``apprm idb upgrade``): the code of this release reads only its own schema,
and an upgrade is a deliberate step (the product's ``omnidbupgrade``), not a side effect
of a read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from apprm_ref.errors import IdbError
from apprm_ref.idb.models import Base

HEAD = "0003"  # the newest revision under migrations/versions (a test checks they agree)
VERSION_TABLE = "alembic_version"
MIGRATIONS = Path(__file__).with_name("migrations")
LAB_TABLES = {"lab_world", "lab_session_ids"}  # the lab store's own (apprm_ref.lab.store)


def include_object(_obj: Any, name: str | None, type_: str, _reflected: bool, _to: Any) -> bool:
    """What migrations and schema comparisons cover: the IDB's tables, not the lab store's."""
    return not (type_ == "table" and name in LAB_TABLES)


def _version_table(conn: Connection) -> None:
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
            f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
        )
    )


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` as the IDB's (as ``alembic stamp`` does)."""
    _version_table(conn)
    conn.execute(text(f"DELETE FROM {VERSION_TABLE}"))
    conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:v)"), {"v": revision})


def revision_of(conn: Connection) -> str | None:
    """The IDB's revision: recorded, else recognised by its shape; None for no IDB."""
    insp = inspect(conn)
    if insp.has_table(VERSION_TABLE):
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        if found:
            return str(found)
    if not insp.has_table("sessions"):
        return None
    if "identity" in {c["name"] for c in insp.get_columns("replica_targets")}:
        return "0003"
    indexes = {i["name"] for i in insp.get_indexes("replica_targets")}
    return "0001" if "ix_targets_target" in indexes else "0002"


def prepare(engine: Engine) -> None:
    """Create a new IDB at :data:`HEAD`; refuse one at an older revision."""
    try:
        with engine.begin() as conn:
            found = revision_of(conn)
            if found is None:
                Base.metadata.create_all(conn)
                stamp(conn, HEAD)
            elif found != HEAD:
                raise IdbError(
                    f"the IDB at {engine.url.render_as_string(hide_password=True)} has schema "
                    f"revision {found}, this release reads {HEAD}: run 'apprm idb upgrade' "
                    "(it keeps every session, replica and specification)"
                )
            elif not inspect(conn).has_table(VERSION_TABLE):
                stamp(conn, HEAD)  # made by this schema before revisions were recorded
    except IntegrityError:  # another process created and stamped it at the same moment
        return


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    """Run the migrations from the IDB's revision to ``target``; returns (from, to)."""
    from alembic import command
    from alembic.config import Config

    try:
        with engine.begin() as conn:
            before = revision_of(conn)
            if before is not None:
                stamp(conn, before)  # an unrecorded revision is recorded first
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
            after = revision_of(conn)
    except SQLAlchemyError as exc:
        raise IdbError(f"upgrade failed: {exc.__class__.__name__}: {exc}") from None
    assert after is not None
    return before, after
