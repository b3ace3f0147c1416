"""A class given ``fast_init`` is built exactly as its dataclass ``__init__`` builds it: the
same signature, the same field values in the same order, default factories called anew,
the same errors for bad calls, and assignment still refused (PERF-P1)."""

from __future__ import annotations

import dataclasses
import inspect
import os
import pickle
import subprocess
import sys
from dataclasses import InitVar, dataclass, field
from typing import Any

import pytest

import apprm_ref.core.integrations.oracle_config
import apprm_ref.core.planner
import apprm_ref.core.records
import apprm_ref.core.replication.snapshot_options
import apprm_ref.core.replication.split_mirror_options
import apprm_ref.core.session
import apprm_ref.drivers.array
import apprm_ref.drivers.host
import apprm_ref.drivers.oracle
import apprm_ref.sim.eva.replicas
import apprm_ref.sim.host.dcache
import apprm_ref.sim.host.models
import apprm_ref.types  # noqa: F401  (the modules whose classes are given fast_init)
from apprm_ref import frozen_init
from apprm_ref.frozen_init import ACCELERATED, fast_init

CLASSES = sorted(ACCELERATED, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _state(obj: Any) -> list[tuple[str, Any]]:
    if hasattr(obj, "__dict__"):
        return list(vars(obj).items())
    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]


def _build_both(cls: type, args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    fast = cls(*args, **kwargs)
    reference = object.__new__(cls)
    ACCELERATED[cls](reference, *args, **kwargs)
    return fast, reference


def _call_split(cls: type, value: Any) -> tuple[list[Any], dict[str, Any]]:
    args, kwargs = [], {}
    for p in list(inspect.signature(ACCELERATED[cls]).parameters.values())[1:]:
        if p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = value(p.name)
        else:
            args.append(value(p.name))
    return args, kwargs


def test_the_hot_classes_are_given_it() -> None:
    names = {c.__qualname__ for c in CLASSES}
    assert {"VolumeRef", "Message", "TargetVolume", "VolumeInfo", "PairInfo"} <= names
    if frozen_init.FILL is not None:
        assert all(c.__init__ is not ACCELERATED[c] for c in CLASSES)


@pytest.mark.rule("PERF-P1")
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_an_instance_is_built_as_the_dataclass_builds_it(cls: type) -> None:
    original = ACCELERATED[cls]
    assert inspect.signature(cls.__init__) == inspect.signature(original)
    assert cls.__init__.__qualname__ == original.__qualname__
    if hasattr(cls, "__post_init__"):
        return  # its __post_init__ checks its values: built from real ones below
    # every argument given: each field holds exactly the object passed, in the same order
    sentinels: dict[str, object] = {}
    args, kwargs = _call_split(cls, lambda n: sentinels.setdefault(n, object()))
    fast, reference = _build_both(cls, args, kwargs)
    assert [(k, id(v)) for k, v in _state(fast)] == [(k, id(v)) for k, v in _state(reference)]
    assert [k for k, _ in _state(fast)] == [f.name for f in dataclasses.fields(cls)]
    # only what is required: the defaults, and each default factory called for each
    required = [
        p for p in list(inspect.signature(original).parameters.values())[1:]
        if p.default is p.empty
    ]  # fmt: skip
    given = {p.name: sentinels[p.name] for p in required}
    a, b = cls(**given), cls(**given)
    ref = object.__new__(cls)
    original(ref, **given)
    assert _state(a) == _state(ref)
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(a, f.name) is not getattr(b, f.name)
    # assignment is refused as before
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(a, dataclasses.fields(cls)[0].name, 1)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_a_bad_call_fails_as_the_dataclass_fails(cls: type) -> None:
    original = ACCELERATED[cls]
    n = len(inspect.signature(original).parameters)

    def error(make: Any) -> str:
        with pytest.raises(TypeError) as info:
            make()
        return str(info.value)

    params = list(inspect.signature(original).parameters.values())[1:]
    if any(p.default is p.empty for p in params):
        assert error(lambda: cls()) == error(lambda: original(object.__new__(cls)))
    many = [0] * (n + 1)
    assert error(lambda: cls(*many)) == error(lambda: original(object.__new__(cls), *many))
    assert error(lambda: cls(nonesuch=1)) == error(
        lambda: original(object.__new__(cls), nonesuch=1)
    )


def test_real_values_compare_hash_and_pickle_alike() -> None:
    from apprm_ref.core.session import Message
    from apprm_ref.drivers.capabilities import Capabilities
    from apprm_ref.types import ReplicaType, Severity, TargetVolume, VolumeRef

    ref = VolumeRef("EVA1", "vd-1")
    fast, slow = _build_both(VolumeRef, ["EVA1", "vd-1"], {})
    assert fast == slow == ref and hash(fast) == hash(slow) and not fast < slow
    target = TargetVolume(ref, VolumeRef("EVA1", "vd-2"), ReplicaType("snapshot"))
    assert target.details == {} and target.identity == {}
    assert pickle.loads(pickle.dumps(target)) == target
    caps = (["snapshot-array", "EVA"], {"features": ["vsnap", "snapclone"], "limits": {"x": 1}})
    fast, slow = _build_both(Capabilities, *caps)
    assert _state(fast) == _state(slow) and fast == slow and hash(fast) == hash(slow)
    assert isinstance(fast.features, frozenset) and fast.features  # parsed by __post_init__
    msg = Message(1.0, Severity.MAJOR, "BSM", "text", code="X")
    assert dataclasses.replace(msg, text="other") == Message(
        1.0, Severity.MAJOR, "BSM", "other", "X"
    )


def test_a_class_it_would_not_build_alike_is_refused() -> None:
    @dataclass
    class Loose:
        a: int

    @dataclass(frozen=True)
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    @dataclass(frozen=True)
    class Passed:
        a: int
        scale: InitVar[int] = 1

    for cls in (Loose, Derived, Passed, int):
        with pytest.raises(TypeError, match="fast_init"):
            fast_init(cls)
        assert cls not in ACCELERATED


def test_keyword_only_fields_and_factories_keep_their_order() -> None:
    @fast_init
    @dataclass(frozen=True, kw_only=True)
    class Later:
        z: int
        a: list[int] = field(default_factory=list)
        m: str = "m"

    try:
        made = Later(z=1, m="x")
        assert list(vars(made).items()) == [("z", 1), ("a", []), ("m", "x")]
        assert inspect.signature(Later.__init__) == inspect.signature(ACCELERATED[Later])
        with pytest.raises(TypeError):
            Later(1)  # type: ignore[misc]
    finally:
        del ACCELERATED[Later]


def test_post_init_runs_after_the_fields_as_the_dataclass_runs_it() -> None:
    seen: list[tuple[str, Any]] = []

    @fast_init
    @dataclass(frozen=True)
    class Checked:
        a: int
        b: tuple[int, ...] = ()

        def __post_init__(self) -> None:
            seen.append(("post", dict(vars(self))))
            object.__setattr__(self, "b", tuple(sorted(self.b)))

    try:
        made = Checked(1, (3, 2))
        assert seen == [("post", {"a": 1, "b": (3, 2)})] and made.b == (2, 3)
        with pytest.raises(TypeError):
            Checked(1, ("x", 2))  # type: ignore[arg-type]  # its error comes through
    finally:
        del ACCELERATED[Checked]


def test_the_compiled_fill_checks_its_arguments() -> None:
    fill = frozen_init.FILL
    if fill is None:
        pytest.skip("the compiled part is not built here")
    from apprm_ref.types import VolumeRef

    obj = object.__new__(VolumeRef)
    with pytest.raises(TypeError, match="one value per name"):
        fill(obj, ("array", "volume"), "only one")
    with pytest.raises(TypeError, match="must be a str"):
        fill(obj, (1,), "x")
    with pytest.raises(AttributeError):
        fill(object(), ("x",), 1)  # no instance dict: refused as object.__setattr__ is


def test_pure_python_keeps_the_dataclass_init() -> None:
    code = (
        "from apprm_ref.types import VolumeRef; from apprm_ref.frozen_init import "
        "ACCELERATED, FILL; assert FILL is None; "
        "assert VolumeRef.__init__ is ACCELERATED[VolumeRef]; print('ok')"
    )
    env = dict(os.environ, APPRM_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_ci_builds_the_compiled_init() -> None:
    """On CI's fresh machine the plain editable install must have compiled it."""
    if not os.environ.get("APPRM_CI"):
        pytest.skip("checked where APPRM_CI=1 (.ci/run)")
    assert frozen_init.FILL is not None
