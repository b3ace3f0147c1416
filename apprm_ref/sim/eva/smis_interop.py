"""The Interop namespace of the EVA SMI-S door: the CIM object manager, its namespaces and
the registered SMI-S profiles with their conformance associations.

This is where a standard client starts (SMI-S 1.x "Server" / "Profile Registration"
profiles; DMTF DSP1033): ``pywbem.WBEMServer`` looks for ``CIM_Namespace`` in ``interop`` /
``root/interop``, reads ``CIM_ObjectManager`` and ``CIM_RegisteredProfile``
(RegisteredOrganization 11 = SNIA), and follows ``CIM_ElementConformsToProfile`` from the
Array profile to the array's ``CIM_ComputerSystem`` in the implementation namespace
(protocols.md 1.1, discovery walk step 1-2). Component profiles hang off the Array
profile by ``CIM_ReferencedProfile``. The profile versions are the SMI-S 1.x releases the
door's classes follow **(inferred for HP's provider)**.
"""

from __future__ import annotations

from typing import Any

from pywbem import CIMInstance, CIMInstanceName, Uint16

from apprm_ref.sim.eva.smis_mof import NAMESPACE, QUALIFIERS, REGISTERED_PROFILE_MOF

INTEROP = "root/interop"
SNIA = 11  # CIM_RegisteredProfile.RegisteredOrganization "SNIA"
# (name, version, is a subprofile of Array) - SMI-S 1.x profiles the door implements
PROFILES = (
    ("Array", "1.4.0", False),
    ("Block Services", "1.4.0", True),
    ("Replication Services", "1.5.0", True),
    ("Copy Services", "1.3.0", True),
    ("Job Control", "1.5.0", True),
    ("Masking and Mapping", "1.4.0", True),
)

INTEROP_MOF = (
    QUALIFIERS
    + """
class CIM_ManagedElement {
    string InstanceID; string Caption; string Description; string ElementName;
};
"""
    + REGISTERED_PROFILE_MOF
    + """
class CIM_ManagedSystemElement : CIM_ManagedElement { string Name; uint16 OperationalStatus[]; };
class CIM_LogicalElement : CIM_ManagedSystemElement { };
class CIM_EnabledLogicalElement : CIM_LogicalElement { uint16 EnabledState; };
class CIM_Service : CIM_EnabledLogicalElement {
    [Key] string SystemCreationClassName; [Key] string SystemName;
    [Key] string CreationClassName; [Key, Override("Name")] string Name;
};
class CIM_WBEMService : CIM_Service { };
class CIM_ObjectManager : CIM_WBEMService { string Version; };
class CIM_Namespace : CIM_ManagedElement {
    [Key] string SystemCreationClassName; [Key] string SystemName;
    [Key] string ObjectManagerCreationClassName; [Key] string ObjectManagerName;
    [Key] string CreationClassName; [Key] string Name; uint16 ClassInfo;
};
[Association] class CIM_Dependency {
    [Key] CIM_ManagedElement REF Antecedent; [Key] CIM_ManagedElement REF Dependent;
};
[Association] class CIM_ReferencedProfile : CIM_Dependency {
    [Key, Override("Antecedent")] CIM_RegisteredProfile REF Antecedent;
    [Key, Override("Dependent")] CIM_RegisteredProfile REF Dependent;
};
[Association] class CIM_ElementConformsToProfile {
    [Key] CIM_RegisteredProfile REF ConformantStandard; [Key] CIM_ManagedElement REF ManagedElement;
};
"""
)


def profile_path(array: str, name: str) -> CIMInstanceName:
    iid = f"SNIA:{name.replace(' ', '')}:{array}"
    return CIMInstanceName("CIM_RegisteredProfile", {"InstanceID": iid}, namespace=INTEROP)


def _inst(path: CIMInstanceName, **props: Any) -> CIMInstance:
    return CIMInstance(path.classname, properties={**path.keybindings, **props}, path=path)


def _object_manager(system_name: str) -> tuple[CIMInstance, list[CIMInstance]]:
    keys = {"SystemCreationClassName": "HPEVA_StorageSystem", "SystemName": system_name}
    om = CIMInstanceName(
        "CIM_ObjectManager",
        {**keys, "CreationClassName": "CIM_ObjectManager", "Name": f"HPEVA:{system_name}"},
        namespace=INTEROP,
    )
    spaces = []
    for ns in (INTEROP, NAMESPACE):
        nkeys = {
            **keys,
            "ObjectManagerCreationClassName": "CIM_ObjectManager",
            "ObjectManagerName": f"HPEVA:{system_name}",
            "CreationClassName": "CIM_Namespace",
            "Name": ns,
        }
        path = CIMInstanceName("CIM_Namespace", nkeys, namespace=INTEROP)
        spaces.append(_inst(path, ClassInfo=Uint16(0)))
    desc = "SMI-S CIM object manager of an HP StorageWorks EVA (simulated)"
    return _inst(om, ElementName="HP EVA SMI-S", Description=desc), spaces


def interop_instances(array: str, system_name: str, system: CIMInstanceName) -> list[CIMInstance]:
    """Object manager, namespaces, profiles, ReferencedProfile and ElementConformsToProfile
    (the conformance associations are also served in ``root/eva``, see ``conformance``)."""
    om, out = _object_manager(system_name)
    out.append(om)
    array_profile = profile_path(array, "Array")
    for name, version, sub in PROFILES:
        path = profile_path(array, name)
        out.append(
            _inst(
                path,
                RegisteredOrganization=Uint16(SNIA),
                RegisteredName=name,
                RegisteredVersion=version,
                AdvertiseTypes=[Uint16(3)],  # SLP
                ElementName=f"SNIA {name} {version}",
            )
        )
        if sub:
            ref = CIMInstanceName(
                "CIM_ReferencedProfile",
                {"Antecedent": array_profile, "Dependent": path},
                namespace=INTEROP,
            )
            out.append(_inst(ref))
    out.extend(conformance(array, system, INTEROP))
    return out


def conformance(array: str, system: CIMInstanceName, namespace: str) -> list[CIMInstance]:
    """CIM_ElementConformsToProfile from the Array profile to the array's system."""
    path = CIMInstanceName(
        "CIM_ElementConformsToProfile",
        {"ConformantStandard": profile_path(array, "Array"), "ManagedElement": system},
        namespace=namespace,
    )
    return [_inst(path)]
