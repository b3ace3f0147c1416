"""``apprm idb``: the IDB's schema revision and its upgrade (the product's omnidbupgrade).

``upgrade`` runs the Alembic migrations (:mod:`apprm_ref.idb.migrate`) from the IDB's
revision to this release's, as the lab's one writer (its lock held), in one transaction:
an upgrade that fails leaves the IDB as it was.
"""

from __future__ import annotations

from pathlib import Path

import typer

from apprm_ref.cli.app import emit_json, new_app
from apprm_ref.cli.labdir import IDB, current_home, current_wait
from apprm_ref.errors import NotFoundError

app = new_app("The IDB's schema revision and its upgrade (omnidbupgrade).")
URL_HELP = "IDB URL (default: $APPRM_IDB_URL, else the lab's idb.sqlite)"


def _engine(home: Path, url: str | None):  # type: ignore[no-untyped-def]
    from apprm_ref.idb.engine import file_url, make_engine, resolve_url

    chosen = resolve_url(url, default_path=home / IDB)
    if chosen == file_url(home / IDB) and not (home / IDB).exists():
        raise NotFoundError(f"no IDB at {home / IDB} (run 'apprm lab init' or set --home)")
    return make_engine(chosen, create=False)


@app.command("revision")
def revision(
    url: str = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The IDB's schema revision and the one this release reads."""
    from apprm_ref.idb import migrate

    engine = _engine(current_home(), url)
    try:
        with engine.connect() as conn:
            found = migrate.revision_of(conn)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"revision": found, "head": migrate.HEAD})
    else:
        typer.echo(f"IDB schema revision {found or '-'} (this release reads {migrate.HEAD}).")


@app.command("upgrade")
def upgrade(
    url: str = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Upgrade the IDB's schema to this release's, keeping every record."""
    from apprm_ref.idb import migrate
    from apprm_ref.lab.lock import WriterLock

    home = current_home()
    engine = _engine(home, url)
    lock = WriterLock(home, current_wait()) if home.is_dir() else None
    try:
        if lock is not None:
            lock.acquire()
        before, after = migrate.upgrade(engine)
    finally:
        if lock is not None:
            lock.release()
        engine.dispose()
    if as_json:
        emit_json({"from_revision": before, "revision": after})
    elif before == after:
        typer.echo(f"IDB already at schema revision {after}.")
    else:
        typer.echo(f"IDB upgraded from schema revision {before or '-'} to {after}.")
