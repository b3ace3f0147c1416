"""Microsoft Volume Shadow Copy Service on the simulated Windows hosts.

Requester, writers, EVA and XP hardware providers, transportable import and VDS, as
vss-and-core.md §1–5 and sap-vss-addendum.md VSS-1..VSS-14 describe them. Stable API:

World and estate
    ``estate.VssCfg`` / ``estate.build_vss(world, cfg)`` — estate entry ``{type: vss, name,
    hosts: [...], providers: [{type: eva|xp, ...}]}`` and its builder (the VSS application
    kind's ``config``/``builder``). Persisted modules (a kind's ``persisted=``):
    ``apprm_ref.sim.vss.backend``, ``apprm_ref.sim.vss.models``, ``apprm_ref.sim.vss.service``,
    ``apprm_ref.sim.vss.eva_provider``, ``apprm_ref.sim.vss.xp_provider``,
    ``apprm_ref.sim.vss.service`` (a lab door must import them before loading a world). The backend is
    ``world.apps[name]`` (kind ``vss``); ``backend.vss_service(world, host) -> VssService``.

Writers (``writers.py``)
    Any object with the :class:`~apprm_ref.sim.vss.writers.Writer` shape: ``key`` (unique per
    host, e.g. ``"<writer id>/<name>"``), ``service`` (hosting Windows service),
    ``on_identify(ctx) -> models.WriterMetadata`` and ``handle(ctx) -> bool`` for every other
    event (``ctx.event`` is a ``writers.Event``). In a handler: ``ctx.set_writer_failure(code)``
    (the five writer errors only), ``ctx.stall(seconds)`` (simulated time taken),
    ``ctx.files_outside(component)`` (specs on no volume of the set: INCONSISTENTSNAPSHOT),
    ``ctx.components`` (its selected ``xmldoc.BcdComponent``), ``ctx.backup_type`` (after
    degradation by its ``backup_schema``), ``ctx.truncation_allowed(component)`` at
    BackupComplete. An application backend publishes its writers with
    ``vss_writers(host) -> list[Writer]``; the service asks every ``world.apps`` backend.
    ``writers.BackgroundWriter``/``INBOX`` are the in-box writers.

Requester (``requester.BackupComponents(service)``, IVssBackupComponents)
    ``initialize_for_backup()``, ``set_context(ctx)``, ``disable_writer(id|name)``,
    ``set_backup_state(select_components, bootable, models.BackupType, partial)``,
    ``gather_writer_metadata()``, ``writer_metadata() -> [(meta, wmd_xml)]``,
    ``add_component(writer, logical_path, name)``, ``start_snapshot_set() -> set id``,
    ``add_to_snapshot_set(volume, provider_id="") -> shadow id``, ``prepare_for_backup()``,
    ``do_snapshot_set() -> creation.CreationJob``, ``writer_status()``,
    ``set_backup_succeeded(writer, path, name, ok)``, ``backup_complete()``,
    ``abort_backup()``, ``release()`` (BackupShutdown), ``save_as_xml()`` (the BCD).
    Wrong order: ``VssError`` code ``VSS_E_BAD_STATE`` (``apprm_ref.errors.VssError``).

DoSnapshotSet on the clock (``creation.CreationJob``)
    ``job.wait_until`` — wait (SimPy or ``world.advance``) until then, ``job.advance()``:
    PrepareForSnapshot+BeginPrepare → Freeze, then the flush-and-hold window is open
    (``job.stage == Stage.HOLDING``, ``job.hold_started``). Then either ``job.advance()``
    (the providers commit) or ``job.commit(targets)`` with the ``providers.Target`` list of
    replicas the caller made itself inside the window (the product's ``make_replica``; the
    job then never deletes them). ``job.finished``, ``job.ok``, ``job.result()`` (raises the
    creation's VssError), ``job.done_at``; ``creation.run(job)`` drives it outside SimPy.
    A ``Target`` is ``Target(source=lun, array, volume, kind)`` with ``lun`` one of
    ``req.volumes[i].ref.luns`` and ``kind`` snapshot|vsnap|snapclone|mirror|clone; the
    shadow copies it makes are VSS's like any other: use a persistent context
    (``models.CTX_APP_ROLLBACK``) for a kept replica, delete through
    ``service.delete_shadow`` (the provider deletes the LUN) or, when the product deletes
    the array volume itself, ``service.forget_shadow(id)`` first.

Restore (``restore.RestoreComponents(service)``): ``initialize_for_restore(bcd_xml)``,
``gather_writer_metadata()``, ``set_selected_for_restore(writer_id, path, name)``,
``set_restore_state(t)``, ``pre_restore()``, ``restore_files(writer_id, path, name,
{file: blocks}) -> FileRestoreStatus`` (honours the restore method) or
``set_file_restore_status(...)``, ``post_restore()``.
Transport and IR: ``transport.import_snapshots(service_of_backup_host, bcd_xml)`` (VC-I11);
``vds.Vds(service)``: ``lun_info(shadow_id)``, ``switch(set_id, volumes=())`` (VDS switch of
disks; consumes the replica), ``resync_restore(set_id)`` (XP resync mode).
Providers (``providers.Provider``): ``eva_provider.EvaProvider``, ``xp_provider.XpProvider``.
Service (``service.VssService``): ``writers()``, ``status(w)``, ``restart_service(name)``,
``resolve(volume)``, ``volume_of_path(path)`` (component files -> volumes),
``shadows``/``sets``, ``delete_shadow(id)``, ``expose(id, path)``, ``unexpose(id)``.
XML: ``xmldoc.wmd_xml/parse_wmd/bcd_xml/parse_bcd``. Errors: ``errors.HRESULTS``.

Tools (for a real driver's tests and the console doors)
    ``runner.SimWindowsRunner(world, host)`` — a ``real.runner.CommandRunner``: ``run(argv)``
    for ``diskshadow /s <file> [/l <log>]`` and ``vssadmin list writers|shadows|providers``;
    ``write_file``/``read_file`` for the host's small files (scripts, metadata .cab).
    ``runner.run_script(service, text)`` runs diskshadow commands in-process;
    ``vssadmin.vssadmin(service, argv)``; ``text.*`` renders every listing. Console scripts
    ``diskshadow`` and ``vssadmin`` (``apprm_ref/doors``) run against ``$APPRM_HOME`` on
    ``%COMPUTERNAME%``.

Fault sites: ``vss.identify``, ``vss.prepare_snapshot``, ``vss.freeze``,
``vss.backup_complete``, ``vss.provider_commit``, ``vss.import`` (docs/faults.md).
Not modelled: the system (copy-on-write) and software providers (a volume not on an EVA or
XP LUN is VSS_E_VOLUME_NOT_SUPPORTED), file shares, auto-recovery, reboot-time restore.
"""
