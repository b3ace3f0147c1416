"""Lab HORCM files: the console ``pairdisplay -g <ARRAY>_MU<n>`` sees the lab's pairs."""

from __future__ import annotations

from apprm_ref.sim.estate import Estate, build_world
from apprm_ref.sim.xp.cci.commands import Cci, execute
from apprm_ref.sim.xp.cci.horcm import parse_horcm
from apprm_ref.sim.xp.cci.labconf import group_name, lab_horcm


def _world():  # type: ignore[no-untyped-def]
    ldevs = [{"id": "01:10", "size": "1GiB", "present_to": ["app1"]}]
    ldevs += [{"id": f"01:2{i}", "size": "1GiB"} for i in range(3)]
    pairs = [{"pvol": "01:10", "svol": f"01:2{i}", "mu": i} for i in range(3)]
    estate = Estate.model_validate(
        {
            "arrays": [{"type": "xp", "name": "xp1", "ldevs": ldevs, "pairs": pairs}],
            "hosts": [{"name": "app1"}],
        }
    )
    return build_world(estate, 1)


def test_one_group_per_mu_on_both_instances() -> None:
    confs = lab_horcm(_world())
    p, s = parse_horcm(confs[0], "horcm0.conf"), parse_horcm(confs[1], "horcm1.conf")
    assert [(d.group, d.ldev, d.mu) for d in p.devs] == [
        (group_name("xp1", i), "01:10", i) for i in range(3)
    ]
    assert [d.ldev for d in s.devs] == ["01:20", "01:21", "01:22"]
    assert p.inst[group_name("xp1", 0)][1] == "horcm1"


def test_pairdisplay_shows_the_state_left_in_the_world() -> None:
    world = _world()
    world.arrays["xp1"].pairsplit([("01:10", 2)])
    world.advance(3600)
    confs = {i: parse_horcm(t, f"horcm{i}.conf") for i, t in lab_horcm(world).items()}
    env = {"HORCMINST": "0", "HORCC_MRCF": "1"}
    rc, out, err = execute(Cci(world, confs, env), ["pairdisplay", "-g", "XP1_MU2", "-fcx"])
    assert rc == 0, err
    assert "P-VOL PSUS" in out and "S-VOL SSUS" in out
    rc, out, _ = execute(Cci(world, confs, env), ["pairdisplay", "-g", "XP1_MU0", "-fcx"])
    assert "P-VOL PAIR" in out


def test_no_xp_no_files() -> None:
    from apprm_ref.sim.world import World

    assert lab_horcm(World(0)) == {}
