"""``vssadmin list writers|shadows|providers``: the captured text layout, a pure function of
the writers' state and last error (VC-I23). Sources: sap-vss-addendum.md VSS-8 (layout,
``[n] Failed``, last-error texts), public captures of ``vssadmin list shadows`` and
``list providers`` on Windows Server."""

from __future__ import annotations

import pytest
from vsslab import APP_ID, app_writer, make_world, service

from apprm_ref.sim.vss.errors import LAST_ERROR_TEXT
from apprm_ref.sim.vss.models import WriterState
from apprm_ref.sim.vss.runner import run_script
from apprm_ref.sim.vss.vssadmin import vssadmin

HEADER = (
    "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n"
    "(C) Copyright 2001-2005 Microsoft Corp.\n\n"
)


def _block(out: str, name: str) -> str:
    start = out.index(f"Writer name: '{name}'")
    return out[start : out.index("\n\n", start) + 1]


@pytest.mark.rule("VC-I23")
def test_list_writers_layout_for_a_stable_writer() -> None:
    world = make_world()
    rc, out, _ = vssadmin(service(world), ["list", "writers"])
    assert rc == 0 and out.startswith(HEADER)
    st = service(world).status(app_writer(world))
    assert _block(out, "Sim App Writer") == (
        "Writer name: 'Sim App Writer'\n"
        f"   Writer Id: {{{APP_ID}}}\n"
        f"   Writer Instance Id: {{{st.instance_id}}}\n"
        "   State: [1] Stable\n"
        "   Last error: No error\n"
    )
    assert (
        "Writer name: 'System Writer'\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\n"
        in out
    )


@pytest.mark.rule("VC-I23")
@pytest.mark.parametrize("state", [s for s in WriterState if s.failed])
@pytest.mark.parametrize("error", sorted(LAST_ERROR_TEXT))
def test_every_failed_state_prints_failed_with_its_number(state: WriterState, error: str) -> None:
    world = make_world()
    service(world).set_status(app_writer(world), state, error)
    out = vssadmin(service(world), ["list", "writers"])[1]
    block = _block(out, "Sim App Writer")
    assert f"   State: [{int(state)}] Failed\n" in block
    assert f"   Last error: {LAST_ERROR_TEXT[error]}\n" in block
    assert vssadmin(service(world), ["list", "writers"])[1] == out  # a pure function of the state


@pytest.mark.rule("VC-I23")
def test_a_writer_that_timed_out_shows_failed_and_timed_out_after_the_session() -> None:
    world = make_world()
    app_writer(world).stall["Freeze"] = 61.0
    run_script(service(world), "begin backup\nadd volume E:\nadd volume F:\ncreate\nend backup\n")
    block = _block(vssadmin(service(world), ["list", "writers"])[1], "Sim App Writer")
    assert "   State: [9] Failed\n   Last error: Timed out\n" in block


def test_list_shadows_and_providers_layout() -> None:
    world = make_world()
    rc, out, _ = vssadmin(service(world), ["list", "shadows"])
    assert (rc, out) == (0, HEADER + "No items found that satisfy the query.\n")
    run_script(service(world), "set context persistent\nadd volume E:\ncreate\n")
    out = vssadmin(service(world), ["list", "shadows"])[1]
    sc = next(iter(service(world).shadows.values()))
    assert f"Contents of shadow copy set ID: {{{sc.set_id}}}\n" in out
    assert "   Contained 1 shadow copies at creation time: 3/3/2008 " in out
    assert f"      Shadow Copy ID: {{{sc.shadow_id}}}\n" in out
    assert f"         Original Volume: (E:){sc.volume}\n" in out
    assert "         Shadow Copy Volume: \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy" in out
    assert "         Originating Machine: win1\n         Service Machine: win1\n" in out
    assert "         Provider: 'HP EVA VSS HW Provider'\n" in out
    assert "         Type: ApplicationRollback\n" in out
    assert "         Attributes: Persistent, No auto release, Hardware, Plex\n" in out
    assert vssadmin(service(world), ["list", "shadows", "/for=F:"])[1].endswith(
        "No items found that satisfy the query.\n"
    )
    prov = vssadmin(service(world), ["list", "providers"])[1]
    assert (
        "Provider name: 'HP XP VSS HW Provider'\n   Provider type: Hardware\n   Provider Id: {"
        in prov
    )


def test_other_commands_are_refused() -> None:
    world = make_world()
    rc, out, _ = vssadmin(service(world), ["frob"])
    assert rc == 1 and out.endswith("Error: Invalid command.\n")
    rc, _, err = vssadmin(service(world), ["delete", "shadows", "/all"])
    assert rc == 2 and "not simulated" in err
