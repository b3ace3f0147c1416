"""Replicas, specifications, configurations; start a backup, preview and run a restore.

Reads are the CLI's reads (one snapshot). A backup or restore is a writer command run by
:class:`apprm_ref.api.jobs.Jobs` through the service layer: the request returns ``202`` with
the session as it started; its messages follow on ``/api/sessions/{id}/events``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.api.deps import ReadLab, ServerDep, operator, role
from apprm_ref.api.views import config_row, doc, progress, replicas_doc, session_doc, spec_row
from apprm_ref.core import requests
from apprm_ref.front.lab import Lab, open_lab

read = APIRouter(prefix="/api", tags=["lab"], dependencies=[Depends(role)])
write = APIRouter(prefix="/api", tags=["lab"], dependencies=[Depends(operator)])


@read.get("/lab", summary="The lab: simulated now, arrays, hosts")
def lab_info(lab: ReadLab) -> dict[str, Any]:
    drivers = lab.drivers()
    return doc(
        {
            "home": str(lab.home),
            "now_at": lab.iso(lab.world.now()),
            "arrays": sorted(drivers.arrays),
        }
    )


@read.get("/replicas", summary="Replicas in the ZDB database, by spec and array")
def list_replicas(
    lab: ReadLab, spec: str | None = None, array: str | None = None, status: str | None = None
) -> dict[str, Any]:
    found = lab.repo.list_replicas(spec=spec, array=array, status=status)
    return doc(replicas_doc(lab, found), key="replicas")


@read.get("/replicas/{replica_id:path}", summary="One replica with its targets and identity")
def show_replica(replica_id: str, lab: ReadLab) -> dict[str, Any]:
    return doc(replicas_doc(lab, [lab.repo.get_replica(replica_id)])[0])


@read.get("/specs", summary="Backup specifications")
def list_specs(lab: ReadLab) -> dict[str, Any]:
    return doc([spec_row(s) for s in lab.repo.list_specs()], key="specs")


@read.get("/specs/{name}", summary="One backup specification, as stored")
def show_spec(name: str, lab: ReadLab) -> dict[str, Any]:
    return doc(lab.repo.get_spec(name).model_dump(mode="json"))


@read.get("/configs", summary="Application configurations (credentials masked)")
def list_configs(lab: ReadLab) -> dict[str, Any]:
    return doc([config_row(c) for c in lab.repo.list_configs()], key="configs")


class SpecBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: dict[str, Any] = Field(description="a backup specification, as spec create --file")
    replace: bool = False


@write.post("/specs", status_code=201, summary="Create (or replace) a backup specification")
def create_spec(body: SpecBody, srv: ServerDep) -> dict[str, Any]:
    with open_lab(srv.home, save=True) as lab:
        spec = lab.orchestrator.create_spec(body.spec, replace=body.replace)
    return doc(spec_row(spec))


class BackupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str = Field(description="the backup specification to run (omnib)")


def _started(job: Any) -> dict[str, Any]:
    return doc(session_doc(job.clock, job.session, running=True, progress=progress(job.session)))


@write.post("/backups", status_code=202, summary="Start a ZDB backup session")
def start_backup(body: BackupBody, srv: ServerDep) -> dict[str, Any]:
    def start(lab: Lab) -> Any:
        return lab.orchestrator.start_backup(body.spec)

    return _started(srv.jobs.run("backup", f"Backup {body.spec}", start))


class RestoreBody(BaseModel):
    """The CLI's ``restore`` options; one it does not know is refused, never ignored."""

    model_config = ConfigDict(extra="forbid")
    session: str | None = Field(None, description="backup session ID or replica ID")
    spec: str | None = Field(None, description="choose the newest replica reaching the target")
    latest: bool = False
    method: str | None = None
    keep_replica: bool | None = None
    retain_source: bool | None = None
    until_scn: int | None = Field(None, ge=0)
    until_time: str | None = Field(None, description="YYYY-MM-DD HH:MM:SS (simulated)")
    until_sequence: int | None = Field(None, ge=0)
    thread: int | None = Field(None, ge=1)
    now: bool = False
    recover: bool | None = None
    open_resetlogs: bool | None = None
    keep_current_cf_olf: bool | None = None

    def request(self) -> requests.RestoreRequest:
        return requests.RestoreRequest(**self.model_dump())


@read.post("/restores/preview", summary="Whether a restore would reach its target (reads only)")
def preview_restore(body: RestoreBody, lab: ReadLab) -> dict[str, Any]:
    found = requests.preview(lab.orchestrator, body.request())
    return doc(requests.verdict_dict(lab.orchestrator, found))


@write.post("/restores", status_code=202, summary="Start an instant recovery session")
def start_restore(body: RestoreBody, srv: ServerDep) -> dict[str, Any]:
    req = body.request()
    req.check()  # refused before the lab is opened, like the CLI

    def start(lab: Lab) -> Any:
        return requests.start_restore(lab.orchestrator, req)[1]

    return _started(srv.jobs.run("restore", f"Restore {req.session or req.spec}", start))
