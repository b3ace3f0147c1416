"""The EVA SMI-S door publishes no vendor name outside the cited list of ``smis_mof``.

Every ``HPEVA_`` name in the MOF, and every property that an ``HPEVA_`` class adds to its
DMTF base, must be in the "Cited vendor names" list of the ``smis_mof`` module docstring
(each entry there names its public source: protocols.md 1.1, the Zenoss HPEVAMon ZenPack);
every property of every instance the door serves must be declared by its class. So a
vendor extension without a source (such as a completion time of a background copy, which
SMI-S does not have) cannot come back unnoticed.
"""

from __future__ import annotations

import re

import pytest
from eva_helpers import make
from pywbem import CIMClass

from apprm_ref.sim.eva import smis_mof
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.smis import EvaSmisDoor
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World

VENDOR = re.compile(r"\bHPEVA_\w+")


def cited() -> set[str]:
    """``Class`` and ``Class.Property`` names of the docstring's citation list."""
    doc = smis_mof.__doc__ or ""
    section = doc.split("Cited vendor names:", 1)[1].split("\n\n", 2)[1]
    return set(re.findall(r"``(HPEVA_\w+(?:\.\w+)?)``", section))


def classes(door: EvaSmisDoor) -> dict[str, CIMClass]:
    """Every class of the namespace with all its properties and their class origin."""
    conn, ns = door.conn, door.namespace
    names = conn.EnumerateClassNames(namespace=ns, DeepInheritance=True)
    return {
        n: conn.GetClass(n, namespace=ns, LocalOnly=False, IncludeClassOrigin=True)
        for n in sorted(names)
    }


@pytest.fixture
def busy_door(world: World, eva: EvaBackend, src) -> EvaSmisDoor:  # type: ignore[no-untyped-def]
    """Every kind of instance the door serves: volumes presented, a snapshot, a snapclone
    still unsharing, a copy-back in progress, a DR group with its members."""
    other = eva.create_vdisk("ora_arch", 2 * GIB, "dg2", "vraid5")
    spare = eva.create_vdisk("ora_redo", 2 * GIB, "dg1", "vraid1")
    eva.present(src.id, "hostA")
    make(eva, src.id, VdiskKind.SNAPSHOT)
    clone = make(eva, other.id, VdiskKind.SNAPCLONE)
    world.advance(24 * 3600)
    eva.restore_copy_back(clone.id, other.id, keep=True)
    make(eva, spare.id, VdiskKind.SNAPCLONE)
    eva.add_dr_group("drg1", [spare.id], role="source", remote_array="eva2")
    assert eva.vdisks[other.id].copy is not None  # copy-back running
    return EvaSmisDoor(world, "eva1")


def test_the_citation_list_is_there_and_names_its_sources() -> None:
    names = cited()
    assert {"HPEVA_StorageVolume", "HPEVA_StorageVolume.DiskGroupID", "HPEVA_StoragePool"} <= names
    doc = smis_mof.__doc__ or ""
    assert "protocols.md 1.1" in doc and "ZenPacks.community.HPEVAMon" in doc


@pytest.mark.rule("WIRE-I1")
def test_every_vendor_name_of_the_mof_is_cited() -> None:
    names = cited()
    in_mof = set(VENDOR.findall(smis_mof.CLASSES))
    assert in_mof and in_mof <= names, f"uncited vendor names in the MOF: {in_mof - names}"
    assert "HPEVA_TimeRemaining" not in smis_mof.CLASSES  # SMI-S has no completion time


@pytest.mark.rule("WIRE-I1")
def test_every_property_a_vendor_class_adds_is_cited(busy_door: EvaSmisDoor) -> None:
    names = cited()
    added = {
        f"{p.class_origin}.{p.name}"
        for c in classes(busy_door).values()
        for p in c.properties.values()
        if (p.class_origin or "").startswith("HPEVA_") or p.name.startswith("HPEVA_")
    }
    assert added, "the HPEVA_ classes add the cited DiskGroupID, ... properties"
    assert added <= names, f"uncited vendor properties: {sorted(added - names)}"
    vendor_classes = {n for n in classes(busy_door) if n.startswith("HPEVA_")}
    assert vendor_classes <= names, f"uncited vendor classes: {vendor_classes - names}"


@pytest.mark.rule("WIRE-I1")
def test_served_instances_carry_only_properties_their_class_declares(
    busy_door: EvaSmisDoor,
) -> None:
    known = classes(busy_door)
    conn, served = busy_door.conn, 0
    roots = [n for n, c in known.items() if c.superclass is None]
    for root in sorted(roots):
        for inst in conn.EnumerateInstances(root, namespace=busy_door.namespace):
            declared = set(known[inst.classname].properties)
            extra = set(inst.properties) - declared
            assert not extra, f"{inst.classname} serves undeclared {sorted(extra)}"
            assert not any(VENDOR.match(p) for p in inst.properties), inst.classname
            served += 1
    syncs = conn.EnumerateInstances("CIM_StorageSynchronized", namespace=busy_door.namespace)
    states = sorted(int(s["SyncState"]) for s in syncs)
    assert 10 in states and 15 in states  # a copy-back and an unsharing snapclone are served
    assert served > 20
    assert conn.EnumerateInstances("HPEVA_ConsistencySet", namespace=busy_door.namespace)
