"""The kinds shipped with apprm-ref: EVA and XP arrays, filesystem and Oracle, LVM hosts.

They are registered exactly as an out-of-tree kind is (``docs/architecture.md``); only the
place they are listed differs.
"""

from __future__ import annotations

from apprm_ref.drivers.kinds import (
    Application,
    ArrayFamily,
    DriverDecl,
    FailureKind,
    Rpo,
    StorageStack,
)

_SUBJECTS = "apprm_ref.conformance.subjects"  # name -> factory(seed) -> Subject

EVA = ArrayFamily(
    name="eva",
    protocol="snapshot-array",
    config="apprm_ref.sim.estate:EvaCfg",
    builder="apprm_ref.sim.build:build_eva",
    drivers=(
        DriverDecl(
            "sim-eva",
            "apprm_ref.sim.eva.driver:EvaDriver",
            simulator=True,
            subject=f"{_SUBJECTS}:sim_eva",
        ),
        DriverDecl(
            "eva-smis",
            "apprm_ref.real.eva_smis:EvaSmisDriver",
            subject=f"{_SUBJECTS}:eva_smis",
        ),
    ),
    replication="apprm_ref.core.replication.snapshot:SnapshotReplication",
    restore_methods=("switch", "copy-back"),
    persisted=("apprm_ref.sim.eva.backend", "apprm_ref.sim.eva.models"),
    replica_types=("snapshot", "vsnap", "snapclone"),
    needs="apprm_ref.core.replication.snapshot_options:needs",
    failures=(
        FailureKind("lost_volume", ("array", "volume"), "apprm_ref.drill.failures:lose_vdisk"),
    ),
)

XP = ArrayFamily(
    name="xp",
    protocol="split-mirror-array",
    config="apprm_ref.sim.estate:XpCfg",
    builder="apprm_ref.sim.xp.estate:build_xp",
    drivers=(
        DriverDecl(
            "sim-xp",
            "apprm_ref.sim.xp.driver:XpDriver",
            simulator=True,
            subject=f"{_SUBJECTS}:sim_xp",
        ),
        DriverDecl(
            "xp-cci",
            "apprm_ref.real.xp_cci:XpCciDriver",
            subject=f"{_SUBJECTS}:xp_cci",
        ),
    ),
    replication="apprm_ref.core.replication.split_mirror:SplitMirrorReplication",
    restore_methods=("normal", "quick"),
    restore_options="apprm_ref.core.replication.base:SplitMirrorRestoreOptions",
    persisted=("apprm_ref.sim.xp.backend", "apprm_ref.sim.xp.models"),
    replica_types=("mirror", "snapshot_xp"),
    needs="apprm_ref.core.replication.split_mirror_options:needs",
    failures=(
        FailureKind("lost_volume", ("array", "volume"), "apprm_ref.drill.failures:lose_ldev"),
    ),
)

FILESYSTEM = Application(
    name="filesystem",
    integration="apprm_ref.core.integrations.filesystem:FilesystemIntegration",
    recovery_options="apprm_ref.core.integrations.base:RecoveryOptions",
    rpo=Rpo.REPLICA,
    mount_objects=True,
)


ORACLE = Application(
    name="oracle",
    integration="apprm_ref.core.integrations.oracle:OracleIntegration",
    recovery_options="apprm_ref.core.integrations.oracle_recovery:OracleRecoveryOptions",
    rpo=Rpo.ROLL_FORWARD,
    config="apprm_ref.sim.estate:OracleCfg",
    builder="apprm_ref.sim.build:build_oracle_app",
    # the live instance, or else the control file and headers on the volumes (OPS-I6)
    backup_mode="apprm_ref.sim.oracle.persisted:oracle_in_backup_mode",
    drivers=(
        DriverDecl(
            "sim-oracle",
            "apprm_ref.sim.oracle.driver:OracleSimDriver",
            simulator=True,
            subject=f"{_SUBJECTS}:sim_oracle",
        ),
        DriverDecl(
            "oracle-dbapi",
            "apprm_ref.real.oracle_dbapi:OracleDbapiDriver",
            subject=f"{_SUBJECTS}:oracle_dbapi",
        ),
    ),
    persisted=("apprm_ref.sim.oracle.backend", "apprm_ref.sim.oracle.models"),
    cli="apprm_ref.cli.oracle:app",
    failures=(
        FailureKind("dropped_table", ("app", "table"), "apprm_ref.drill.failures:drop_table"),
        FailureKind(
            "corrupted_datafile", ("app", "file"), "apprm_ref.drill.failures:corrupt_datafile"
        ),
    ),
)

# SAP R/3 on an Oracle database of the estate: BR*Tools call the product's backint and
# split command; the simulator's BR*Tools are the sim driver's, real ones the other's
SAP = Application(
    name="sap",
    integration="apprm_ref.core.integrations.sap:SapIntegration",
    recovery_options="apprm_ref.core.integrations.sap_recovery:SapRecoveryOptions",
    rpo=Rpo.ROLL_FORWARD,
    config="apprm_ref.sim.sap.estate:SapCfg",
    builder="apprm_ref.sim.sap.estate:build_sap",
    backup_mode="apprm_ref.real.sap_backint_sim:sap_in_backup_mode",
    drivers=(
        DriverDecl(
            "sim-sap",
            "apprm_ref.real.sap_backint_sim:sim_sap_driver",
            simulator=True,
            subject="apprm_ref.conformance.sap_subjects:sim_sap",
        ),
        DriverDecl(
            "sap-brtools",
            "apprm_ref.real.sap_brtools:BrToolsDriver",
            subject="apprm_ref.conformance.sap_subjects:sap_brtools",
        ),
    ),
    persisted=("apprm_ref.sim.sap.system",),
    cli="apprm_ref.cli.sap:app",
)

LVM = StorageStack(
    name="lvm",
    builder="apprm_ref.sim.build:build_lvm_host",
    drivers=(
        DriverDecl(
            "sim-host",
            "apprm_ref.sim.host.driver:SimHostDriver",
            simulator=True,
            subject=f"{_SUBJECTS}:sim_host",
        ),
    ),
    persisted=("apprm_ref.sim.host.backend", "apprm_ref.sim.host.models"),
    failures=(
        FailureKind("host_crash", ("host",), "apprm_ref.drill.failures:crash_host"),
        FailureKind("corrupted_file", ("host", "path"), "apprm_ref.drill.failures:corrupt_file"),
    ),
)

# Windows basic disks and NTFS volumes; the simulator's host driver serves every stack
# (``SimHostDriver.stack(host)``, sim/host/stacks.py), so this one declares no driver.
WINDOWS = StorageStack(
    name="windows",
    builder="apprm_ref.sim.build:build_windows_stack_host",
    drivers=(),
    failures=(),
)

# Microsoft VSS: the service on the Windows hosts (estate ``type: vss``) and, as a spec type,
# a filesystem-only VSS backup of volumes; every VSS application kind runs the same VSSBAR
# flow (core/integrations/vss.py) and differs only in the writer its objects name.
_VSS_DOOR = "apprm_ref.sim.sqlserver.vss_door:VssSimDriver"
_VSS_RECOVERY = "apprm_ref.core.integrations.vss_restore:VssRecoveryOptions"
_VSS_SUBJECTS = "apprm_ref.conformance.vss_subjects"
VSS = Application(
    name="vss",
    integration="apprm_ref.core.integrations.vss:VssIntegration",
    recovery_options=_VSS_RECOVERY,
    rpo=Rpo.REPLICA,
    mount_objects=True,
    config="apprm_ref.sim.vss.estate:VssCfg",
    builder="apprm_ref.sim.vss.estate:build_vss",
    backup_mode="apprm_ref.sim.sqlserver.vss_door:vss_in_backup_mode",
    drivers=(
        DriverDecl("sim-vss", _VSS_DOOR, simulator=True, subject=f"{_VSS_SUBJECTS}:sim_vss"),
        DriverDecl(
            "vss-diskshadow",
            "apprm_ref.real.vss_diskshadow:DiskshadowVssDriver",
            subject=f"{_VSS_SUBJECTS}:vss_diskshadow",
        ),
    ),
    cli="apprm_ref.cli.vss:app",
    persisted=(
        "apprm_ref.sim.vss.backend",
        "apprm_ref.sim.vss.models",
        "apprm_ref.sim.vss.service",
        "apprm_ref.sim.vss.eva_provider",
        "apprm_ref.sim.vss.xp_provider",
    ),
)

# SQL Server through the SQL writer: a spec's objects are databases (FILE_GROUP components).
MSSQL = Application(
    name="mssql",
    integration="apprm_ref.core.integrations.vss:SqlServerIntegration",
    recovery_options=_VSS_RECOVERY,
    rpo=Rpo.REPLICA,
    config="apprm_ref.sim.sqlserver.estate:SqlServerCfg",
    builder="apprm_ref.sim.sqlserver.estate:build_sqlserver",
    backup_mode="apprm_ref.sim.sqlserver.instance:sql_in_backup_mode",
    drivers=(
        DriverDecl("sim-mssql", _VSS_DOOR, simulator=True, subject=f"{_VSS_SUBJECTS}:sim_mssql"),
    ),
    cli="apprm_ref.cli.vss:mssql_app",
    persisted=("apprm_ref.sim.sqlserver.instance", "apprm_ref.sim.sqlserver.database"),
    failures=(
        FailureKind("writer_hang", ("app",), "apprm_ref.sim.sqlserver.failures:hang_writer"),
        FailureKind(
            "writer_service_restart",
            ("app",),
            "apprm_ref.sim.sqlserver.failures:restart_writer_service",
        ),
        FailureKind(
            "dropped_table", ("app", "table"), "apprm_ref.sim.sqlserver.failures:drop_table"
        ),
    ),
)

# Exchange Server 2003/2007 through VSS (storage groups on Windows hosts; LCR and CCR copies)
EXCHANGE = Application(
    name="exchange",
    integration="apprm_ref.core.integrations.exchange:ExchangeIntegration",
    recovery_options="apprm_ref.core.integrations.exchange_options:ExchangeRecoveryOptions",
    rpo=Rpo.REPLICA,
    config="apprm_ref.sim.exchange.estate:ExchangeCfg",
    builder="apprm_ref.sim.exchange.estate:build_exchange",
    backup_mode="apprm_ref.sim.exchange.driver:exchange_in_backup_mode",
    drivers=(
        DriverDecl(
            "sim-exchange",
            "apprm_ref.sim.exchange.driver:ExchangeSimDriver",
            simulator=True,
            subject=f"{_VSS_SUBJECTS}:sim_exchange",
        ),
    ),
    persisted=("apprm_ref.sim.exchange.store", "apprm_ref.sim.exchange.models"),
    failures=(
        FailureKind(
            "corrupted_page", ("app", "file"), "apprm_ref.sim.exchange.faults:inject_bad_page"
        ),
    ),
)

BUILTINS = (EVA, XP, FILESYSTEM, ORACLE, SAP, LVM, WINDOWS, VSS, MSSQL, EXCHANGE)
