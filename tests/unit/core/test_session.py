from __future__ import annotations

from datetime import datetime

import pytest

from apprm_ref.core.session import (
    CompensationStack,
    ObjectResult,
    Session,
    SessionIdAllocator,
    derive_status,
    format_session_id,
    parse_session_id,
)
from apprm_ref.errors import OrchestrationError
from apprm_ref.types import SessionStatus, SessionType, Severity

C, F, A = ObjectResult.COMPLETED, ObjectResult.FAILED, ObjectResult.ABORTED


@pytest.mark.rule("VC-I16")
def test_session_ids_are_dated_and_increase_within_a_day() -> None:
    last: dict[str, int] = {"2008/03/15": 2}
    alloc = SessionIdAllocator(lambda day: last.get(day, 0))
    day1 = datetime(2008, 3, 15, 23, 59)
    assert alloc.next(day1) == "2008/03/15-3"
    assert alloc.next(day1) == "2008/03/15-4"
    assert alloc.next(datetime(2008, 3, 16, 0, 1)) == "2008/03/16-1"
    assert parse_session_id("2008/03/15-4") == ("2008/03/15", 4)


@pytest.mark.rule("VC-P13")
@pytest.mark.parametrize("bad", ["2008/3/15-1", "2008/03/15-0", "2008/02/30-1", "x", "2008/03/15-"])
def test_malformed_session_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_session_id(bad)


@pytest.mark.rule("VC-P13")
def test_ids_across_days_and_restarts_are_unique() -> None:
    store: dict[str, int] = {}
    seen: set[str] = set()
    for restart in range(3):
        alloc = SessionIdAllocator(lambda day: store.get(day, 0))
        for hour in range(0, 72, 5):
            when = datetime(2008, 2, 28 + restart % 2, 0).replace(hour=0)
            when = datetime.fromordinal(when.toordinal() + hour // 24).replace(hour=hour % 24)
            sid = alloc.next(when)
            day, n = parse_session_id(sid)
            store[day] = max(store.get(day, 0), n)
            assert sid not in seen
            seen.add(sid)
    assert format_session_id(datetime(2008, 2, 29), 1) == "2008/02/29-1"


@pytest.mark.rule("VC-P12")
@pytest.mark.parametrize(
    ("objects", "pre", "post", "worst", "expected"),
    [
        ([C, C], False, False, Severity.NORMAL, SessionStatus.COMPLETED),
        ([C, C], False, False, Severity.WARNING, SessionStatus.COMPLETED),
        ([C, C], False, False, Severity.MINOR, SessionStatus.COMPLETED),
        ([C, C], False, False, Severity.MAJOR, SessionStatus.COMPLETED_ERRORS),
        ([C, C], False, True, Severity.NORMAL, SessionStatus.COMPLETED_ERRORS),
        ([C, F], False, False, Severity.NORMAL, SessionStatus.COMPLETED_FAILURE),
        ([C, A], False, True, Severity.CRITICAL, SessionStatus.COMPLETED_FAILURE),
        ([F, F], False, False, Severity.CRITICAL, SessionStatus.FAILED),
        ([], False, False, Severity.NORMAL, SessionStatus.FAILED),
        ([A, A], True, False, Severity.MAJOR, SessionStatus.FAILED),
        ([C, C], True, False, Severity.NORMAL, SessionStatus.FAILED),
    ],
)
def test_status_derivation_table(objects, pre, post, worst, expected) -> None:  # type: ignore[no-untyped-def]
    assert (
        derive_status(objects, pre_exec_failed=pre, post_exec_failed=post, worst=worst) == expected
    )


@pytest.mark.rule("VC-I17")
def test_terminal_status_is_reached_once_and_never_changes() -> None:
    s = Session("2008/03/03-1", SessionType.BACKUP, "spec", 0.0)
    assert s.status == SessionStatus.IN_PROGRESS
    s.log(1.0, Severity.MAJOR, "BSM", "disk error")
    assert s.status == SessionStatus.IN_PROGRESS_ERRORS
    with pytest.raises(OrchestrationError):
        s.set_running(SessionStatus.COMPLETED)
    assert s.finish(2.0) == SessionStatus.FAILED  # no objects completed
    with pytest.raises(OrchestrationError):
        s.finish(3.0)
    with pytest.raises(OrchestrationError):
        s.set_running(SessionStatus.IN_PROGRESS)
    assert s.status == SessionStatus.FAILED and s.finished == 2.0


@pytest.mark.rule("VC-I22")
def test_severities_are_totally_ordered_and_filter() -> None:
    order = [Severity.NORMAL, Severity.WARNING, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL]
    assert sorted(order, reverse=True)[::-1] == order
    s = Session("2008/03/03-1", SessionType.BACKUP, "spec", 0.0)
    for i, sev in enumerate(order):
        s.log(float(i), sev, "BSM", sev.label)
    assert [m.text for m in s.messages_at_least(Severity.MINOR)] == ["Minor", "Major", "Critical"]
    assert Severity.parse("major") is Severity.MAJOR


def test_message_renders_in_product_layout() -> None:
    s = Session("2008/03/03-1", SessionType.BACKUP, "spec", 0.0)
    msg = s.log(
        0.0,
        Severity.CRITICAL,
        "VBDA@host.example.com",
        "Not a valid mount point => aborting.",
        code="81:52",
        obj="/usr",
    )
    text = msg.render(datetime(2018, 12, 19, 19, 48, 13))
    assert (
        text.splitlines()[0]
        == '[Critical] From: VBDA@host.example.com "/usr"  Time: 19-12-2018 19:48:13'
    )
    assert "[81:52] Not a valid mount point" in text


def test_compensation_stack_unwinds_newest_first_and_survives_failing_undo() -> None:
    done: list[str] = []
    stack = CompensationStack()
    stack.push("a", lambda: done.append("a"))
    stack.push("b", lambda: (_ for _ in ()).throw(RuntimeError("stuck")))
    stack.push("c", lambda: done.append("c"))
    stack.push("d", lambda: done.append("d"))
    stack.discard("d")
    results = stack.unwind()
    assert done == ["c", "a"]
    assert [out.description for out in results] == ["c", "b", "a"]
    assert isinstance(results[1].error, RuntimeError)
    assert len(stack) == 0


def test_undo_handles_are_held_by_their_step_not_found_by_label() -> None:
    stack = CompensationStack()
    done: list[str] = []
    first = stack.do("undo a", lambda: done.append("do a"), lambda: done.append("undo a"))
    twin = stack.push("undo a", lambda: done.append("undo twin"), left_behind="twin stays")
    first.revert()  # the step reverts its own change: the twin of the same name stays
    assert done == ["do a", "undo a"] and stack.handles == [twin]
    assert twin.what_stays == "twin stays" and first.what_stays == "not done: undo a"


def test_a_handle_whose_undo_fails_stays_for_the_unwinding() -> None:
    stack = CompensationStack()
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("busy")

    handle = stack.push("release", flaky)
    with pytest.raises(RuntimeError):
        handle.revert()
    assert stack.handles == [handle]
    (out,) = stack.unwind()
    assert out.error is None and len(calls) == 2 and len(stack) == 0


def test_do_pushes_nothing_when_the_change_fails_and_unwind_stops_at_a_mark() -> None:
    stack = CompensationStack()
    stack.push("outer", lambda: None)
    mark = stack.mark()

    def refuse() -> None:
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        stack.do("never", refuse, lambda: None)
    inner = stack.push("inner", lambda: None)
    assert [o.handle for o in stack.unwind(down_to=mark)] == [inner]
    assert [h.description for h in stack.handles] == ["outer"]
