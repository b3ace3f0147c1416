from __future__ import annotations

from apprm_ref.clock import SimClock, parse_duration
from apprm_ref.rng import Streams, derive_seed
from apprm_ref.sim.world import World


def _event_sequence(seed: int) -> list[tuple[float, str, float]]:
    world = World(seed)
    seen: list[tuple[float, str, float]] = []
    stream = world.streams.get("workload")

    def tick(name: str) -> None:
        seen.append((world.now(), name, round(stream.random(), 12)))
        if len(seen) < 50:
            world.call_at(world.now() + stream.uniform(1, 100), lambda: tick(name))

    for name in ("a", "b", "c"):
        world.call_at(stream.uniform(0, 10), lambda name=name: tick(name))
    world.advance(10_000)
    return seen


def test_same_seed_gives_the_same_event_sequence() -> None:
    assert _event_sequence(7) == _event_sequence(7)
    assert _event_sequence(7) != _event_sequence(8)


def test_stream_seeds_are_stable_across_runs() -> None:
    # a fixed value: str hashing randomization must not leak in
    assert derive_seed(1, "faults") == derive_seed(1, "faults")
    assert derive_seed(1, "faults") == 0xA1B1E49466007ED7
    s1, s2 = Streams(3), Streams(3)
    s2.get("other").random()  # using another stream first changes nothing
    assert s1.get("x").random() == s2.get("x").random()


def test_stream_state_round_trips() -> None:
    s = Streams(5)
    s.get("a").random()
    state = s.state()
    expected = s.get("a").random()
    t = Streams(5)
    t.restore(state)
    assert t.get("a").random() == expected


def test_clock_maps_seconds_to_dates() -> None:
    clock = SimClock.start()
    clock.advance(86400 + 3600)
    assert clock.datetime().strftime("%Y/%m/%d %H") == "2008/03/04 01"
    assert clock.seconds_of(clock.datetime()) == clock.now()


def test_parse_duration() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("15m") == 900
    assert parse_duration("2h") == 7200
    assert parse_duration("1w") == 604800
    assert parse_duration(12) == 12.0
