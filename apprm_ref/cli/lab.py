"""``apprm lab``: create and drive a persistent simulated estate."""

from __future__ import annotations

import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any

import typer
import yaml

from apprm_ref.cli.app import EXIT_WARN, emit_json, new_app, plain_time, status_exit, table
from apprm_ref.cli.labdir import (
    CONFIG,
    IDB,
    JOURNAL,
    WORLD,
    Lab,
    current_home,
    current_wait,
    open_lab,
)
from apprm_ref.errors import ConfigError, NotFoundError

app = new_app("Create and drive a persistent simulated estate (a lab directory).")
fault_app = new_app("Arm, disarm and list fault sites of the lab's simulators.")
app.add_typer(fault_app, name="fault")


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def _estate_from(scenario: Path | None, seed: int | None) -> tuple[Any, int, list[Any], str]:
    """(estate, seed, specs, source) from a scenario or estate file, or the default estate."""
    from apprm_ref.sim import estate as est

    if scenario is None:
        return est.default_estate(), seed or 0, [], "default"
    try:
        data = yaml.safe_load(scenario.read_text())
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {scenario}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=str(scenario)) from None
    if isinstance(data, dict) and "estate" in data:
        from apprm_ref.drill.loader import load_scenario

        sc = load_scenario(scenario)
        return sc.estate, sc.seed if seed is None else seed, list(sc.specs), str(scenario)
    return est.load_estate(scenario), seed or 0, [], str(scenario)


def _wipe(home: Path) -> None:
    for name in (WORLD, CONFIG, IDB, IDB + "-wal", IDB + "-shm", JOURNAL):
        (home / name).unlink(missing_ok=True)


@app.command("init")
def init(
    scenario: Path = typer.Option(None, "--scenario", help="scenario or estate YAML file"),
    seed: int = typer.Option(None, "--seed", help="world seed (default: the scenario's, or 0)"),
    force: bool = typer.Option(False, "--force", help="replace an existing lab"),
) -> None:
    """Build a simulated estate and its IDB in the lab directory."""
    from apprm_ref.sim.estate import build_world

    home = current_home()
    lab = Lab(home, wait=current_wait())
    if lab.exists() and not force:
        raise ConfigError(f"a lab already exists at {home} (use --force to replace it)")
    estate, seed_, specs, source = _estate_from(scenario, seed)
    world = build_world(estate, seed_)
    home.mkdir(parents=True, exist_ok=True)
    _wipe(home)
    lab.world = world
    lab.config = {"version": 1, "seed": seed_, "source": source, "estate": _plain(estate)}
    try:
        lab.repo  # noqa: B018 - creates the IDB schema now, not at first use
        for spec in specs:
            lab.orchestrator.create_spec(spec)
        lab.save()
    finally:
        lab.close()
    typer.echo(f"Lab initialised at {home} (seed {seed_}, from {source}).")
    typer.echo(
        f"Arrays: {', '.join(sorted(world.arrays)) or '-'}; "
        f"specifications: {', '.join(s.name for s in specs) or '-'}"
    )


def _summary(lab: Lab) -> dict[str, Any]:
    w = lab.world
    repo = lab.repo
    arrays = [
        {"name": n, "kind": str(getattr(b, "kind", type(b).__name__))}
        for n, b in sorted(w.arrays.items())
    ]
    return {
        "home": str(lab.home),
        "seed": w.seed,
        "now_at": lab.iso(w.now()),
        "arrays": arrays,
        "hosts": sorted(getattr(w.hosts, "hosts", {}) or {}),
        "applications": sorted(w.apps),
        "faults_armed": len(w.fault_plan.rules),
        "source": lab.config.get("source", ""),
        "idb": {
            "url": lab.idb_url,
            "specs": len(repo.list_specs()),
            "sessions": len(repo.list_sessions()),
            "replicas": len(repo.list_replicas()),
        },
    }


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """What the lab holds: time, arrays, hosts, applications, IDB counts."""
    with open_lab(current_home()) as lab:
        info = _summary(lab)
        seconds = lab.world.now()
    if as_json:
        emit_json(info)
        return
    typer.echo(f"Lab:           {info['home']} (seed {info['seed']}, from {info['source']})")
    typer.echo(f"Simulated now: {plain_time(info['now_at'])} ({seconds:.0f} s)")
    arrays = ", ".join(f"{a['name']} ({a['kind']})" for a in info["arrays"])
    typer.echo(f"Arrays:        {arrays or '-'}")
    typer.echo(f"Hosts:         {', '.join(info['hosts']) or '-'}")
    typer.echo(f"Applications:  {', '.join(info['applications']) or '-'}")
    typer.echo(f"Faults armed:  {info['faults_armed']}")
    idb = info["idb"]
    typer.echo(
        f"IDB:           {idb['specs']} specs, {idb['sessions']} sessions, "
        f"{idb['replicas']} replicas ({idb['url']})"
    )


@app.command("advance")
def advance(duration: str = typer.Argument(..., help="90s, 15m, 2h, 3d, 1w")) -> None:
    """Let simulated time pass: background copies complete and the specs' schedules run
    (holidays honoured) as the cell manager would run them (OPS-I8)."""
    from apprm_ref.clock import parse_duration

    try:
        seconds = parse_duration(duration)
    except ValueError:
        raise ConfigError(f"not a duration: {duration!r} (e.g. 90s, 15m, 2h, 3d)") from None
    if seconds < 0:
        raise ConfigError("time does not go backwards")
    with open_lab(current_home(), save=True) as lab:
        sessions = _run_schedules(lab, lab.world.now() + seconds)
        for session in sessions:
            typer.echo(
                f"{lab.stamp(session.started)}  Session {session.id} ({session.spec}, "
                f"scheduled) {session.status.value}."
            )
        typer.echo(f"Simulated time is now {lab.stamp(lab.world.now())} (+{duration}).")
    worst = max((status_exit(s.status) for s in sessions), default=0)
    if worst:
        raise typer.Exit(EXIT_WARN)


# lab.yaml key: the end of the window whose schedules have been started, so a run that falls
# due while a session spills past one ``advance`` is started by the next, never skipped
SCHEDULED_UNTIL = "schedules_started_until"


def _run_schedules(lab: Lab, horizon: float) -> list[Any]:
    """Advance to ``horizon`` starting every scheduled run due before it; sessions still
    running at the horizon are driven to their end, so none is saved half done."""
    from apprm_ref.core.scheduler import Scheduler

    env = lab.world.env
    procs: list[Any] = []
    scheduler = Scheduler(
        env, lab.world.clock.epoch, lambda name: procs.append(lab.orchestrator.start_backup(name))
    )
    since = min(float(lab.config.get(SCHEDULED_UNTIL, env.now)), float(env.now))
    scheduler.run([s for s in lab.repo.list_specs() if s.schedules], horizon, since)
    lab.world.clock.run_until(horizon)
    while any(p.is_alive for p in procs):
        env.step()
    lab.config[SCHEDULED_UNTIL] = horizon
    return [p.value for p in procs]


# --- faults ----------------------------------------------------------------------------


@fault_app.command("arm")
def fault_arm(
    site: str = typer.Argument(..., help="fault site or fnmatch pattern, e.g. eva.create, xp.*"),
    nth: int = typer.Option(None, "--nth", min=1, help="fire on the nth matching call"),
    probability: float = typer.Option(None, "--probability", min=0.0, max=1.0),
    code: str = typer.Option(None, "--code", help="vendor code the raised error carries"),
    times: int = typer.Option(1, "--times", min=0, help="firings before spent (0 = unlimited)"),
    message: str = typer.Option("injected fault", "--message"),
) -> None:
    """Arm a fault site: the next matching call fails with the vendor's error."""
    from apprm_ref.sim.fault_sites import SITES, matching
    from apprm_ref.sim.faults import FaultRule

    if not matching(site):
        raise ConfigError(
            f"no fault site matches {site!r} (known sites: {', '.join(SITES)}; "
            "see 'apprm lab fault sites')"
        )
    with open_lab(current_home(), save=True) as lab:
        rule = FaultRule(
            site=site, nth=nth, probability=probability, code=code, times=times, message=message
        )
        lab.world.fault_plan.arm(rule)
    typer.echo(f"Armed {site}" + (f" (code {code})" if code else "") + ".")


@fault_app.command("sites")
def fault_sites(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """List the named fault sites of the simulators and what each stands for."""
    from apprm_ref.sim.fault_sites import SITES

    if as_json:
        emit_json([{"site": k, "failure": v} for k, v in SITES.items()], key="sites")
        return
    typer.echo(table(["Site", "Failure"], list(SITES.items())))


@fault_app.command("disarm")
def fault_disarm(site: str = typer.Argument(...)) -> None:
    """Remove every rule armed at SITE."""
    with open_lab(current_home(), save=True) as lab:
        n = lab.world.fault_plan.disarm(site)
        if not n:
            raise NotFoundError(f"no fault armed at {site!r}")
    typer.echo(f"Disarmed {n} rule(s) at {site}.")


@fault_app.command("list")
def fault_list(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Armed rules and the faults that fired."""
    with open_lab(current_home()) as lab:
        plan = lab.world.fault_plan
        rules = [
            {
                "site": r.site,
                "nth": r.nth,
                "probability": r.probability,
                "code": r.code,
                "times": r.times,
                "calls": r.calls,
                "fired": r.fired,
                "spent": r.spent(),
            }
            for r in plan.rules
        ]
        fired = [{"fired_at": lab.iso(f.at), "site": f.site, "code": f.code} for f in plan.log]
    if as_json:
        emit_json({"rules": rules, "fired": fired})
        return
    if not rules:
        typer.echo("No faults armed.")
    else:
        rows = [
            [
                r["site"],
                r["nth"] or "",
                r["probability"] or "",
                r["code"] or "",
                r["times"],
                r["fired"],
            ]
            for r in rules
        ]
        typer.echo(table(["Site", "Nth", "Probability", "Code", "Times", "Fired"], rows))
    if fired:
        typer.echo(f"{len(fired)} fault(s) fired so far.")


# --- save / load -------------------------------------------------------------------------


@app.command("save")
def save(path: Path = typer.Argument(..., help="archive to write (.tar.gz)")) -> None:
    """Save the whole lab (world, IDB, lab.yaml) to one archive, which holds no secret.

    Credential references (env:, file:, keyring:) are kept as they are: define the same
    variable, file or keyring entry where the lab is loaded. Passwords given with
    --password-stdin are dropped, and the lab's key file (secret.key) is never archived: after
    'apprm lab load', give them again with 'apprm oracle config set ... --password-stdin'.
    """
    warn = False
    with open_lab(current_home()) as lab, tempfile.TemporaryDirectory() as tmp:
        idb_copy = Path(tmp) / IDB
        if lab.idb_url == f"sqlite:///{lab.idb_path}" and lab.idb_path.exists():
            lab.close()
            _sqlite_copy(lab.idb_path, idb_copy)
            _scrub_secrets(idb_copy)
        else:
            warn = True
        (Path(tmp) / WORLD).write_bytes(lab.world.to_bytes())
        part = Path(tmp) / "archive.part"  # a failed save leaves no half archive at path
        with tarfile.open(part, "w:gz") as tar:
            tar.add(Path(tmp) / WORLD, arcname=WORLD)
            lab.world.faults.check("lab.save", path=str(path))
            if lab.config_path.exists():
                tar.add(lab.config_path, arcname=CONFIG)
            if idb_copy.exists():
                tar.add(idb_copy, arcname=IDB)
        shutil.move(part, path)
    typer.echo(f"Lab saved to {path}.")
    if warn:
        typer.echo("apprm: warning: the IDB is not a lab file (APPRM_IDB_URL); not saved", err=True)
        raise typer.Exit(EXIT_WARN)


def _scrub_secrets(idb: Path) -> None:
    """REL-I3: drop the encrypted passwords from the archive's IDB copy, then VACUUM so no
    free page keeps their old bytes."""
    from apprm_ref.credentials import scrub_idb
    from apprm_ref.idb.engine import file_url, make_engine
    from apprm_ref.idb.orm import OrmRepository

    repo = OrmRepository(make_engine(file_url(idb)))
    try:
        changed = scrub_idb(repo)
    finally:
        repo.engine.dispose()
    if changed:
        db = sqlite3.connect(idb)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("VACUUM")
        finally:
            db.close()


def _sqlite_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a WAL database (the backup API includes the WAL's pages)."""
    from apprm_ref.credentials import private_file

    private_file(dst)  # the copy is as private as the IDB (REL-I3)
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        b.close()
        a.close()


@app.command("load")
def load(
    path: Path = typer.Argument(..., help="archive written by 'apprm lab save'"),
    force: bool = typer.Option(False, "--force", help="replace an existing lab"),
) -> None:
    """Restore a lab from an archive into the lab directory."""
    home = current_home()
    if Lab(home).exists() and not force:
        raise ConfigError(f"a lab already exists at {home} (use --force to replace it)")
    try:
        tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the with below
    except (FileNotFoundError, tarfile.TarError) as exc:
        raise ConfigError(f"not a lab archive: {exc}", file=str(path)) from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        names = _unpack_checked(tar, Path(tmp), path)
        home.mkdir(parents=True, exist_ok=True)
        _wipe(home)
        for name in names:
            (Path(tmp) / name).replace(home / name)
        if IDB in names:
            (home / IDB).chmod(0o600)  # REL-I3
    typer.echo(f"Lab loaded into {home} from {path}.")


# what a damaged archive raises while it is read or its world and IDB are checked
_DAMAGED = (tarfile.TarError, EOFError, OSError, ValueError, zlib.error, sqlite3.DatabaseError)


def _unpack_checked(tar: tarfile.TarFile, tmp: Path, path: Path) -> list[str]:
    """Unpack into ``tmp`` and load it as a lab, before the lab is touched (REL-I4): only
    the three regular files, each once; a damaged one refuses the whole archive."""
    try:
        members = tar.getmembers()
        names = sorted(m.name for m in members)
        regular = all(m.isfile() for m in members) and len(set(names)) == len(names)
        if WORLD not in names or not set(names) <= {WORLD, CONFIG, IDB} or not regular:
            raise ConfigError(
                f"not a lab archive (members: {', '.join(names) or 'none'})", file=str(path)
            )
        tar.extractall(tmp, filter="data")
        Lab(tmp, write=False).load().close()
    except _DAMAGED as exc:
        raise ConfigError(
            f"not a lab archive: {type(exc).__name__}: {exc}", file=str(path)
        ) from None
    return names


def _register_ops() -> None:
    from apprm_ref.cli import lab_ops

    lab_ops.register(app)


_register_ops()
