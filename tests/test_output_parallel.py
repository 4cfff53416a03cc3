"""Tests of output/parallel.py: results in order, errors as raised, workers stopped and joined.

Every test ends with no child process left: the autouse fixture below compares this process's
children (from /proc) before and after it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from policykg.extract import InputError
from policykg.output import parallel
from policykg.output.errors import OutputError
from policykg.output.parallel import LazyTasks, WorkerPool, available_cores, chunk_size

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")

#: Seconds in which leaving a pool whose workers are busy must have ended them (SIGTERM acts at
#: once; the tasks below would run for a minute).
PROMPT = 4.0


def children() -> set[int]:
    """This process's child processes (Linux), multiprocessing's resource tracker left out
    (spawn starts it, once, for the rest of the process's life)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            found.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:  # a thread that ended meanwhile
            continue
    return {pid for pid in found if b"resource_tracker" not in _command(pid)}


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # ended meanwhile
        return b""


@pytest.fixture(autouse=True)
def _no_process_left() -> Iterator[None]:
    before = children()
    yield
    assert children() == before
    assert multiprocessing.active_children() == []


def gone(pid: int) -> bool:
    """Whether no process ``pid`` exists any more (ended and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# -- tasks (module level: they pickle by name) ------------------------------------------------


def square(n: int) -> int:
    time.sleep(0.01 * (n % 3))  # finish out of order
    return n * n


def square_and_pid(n: int) -> tuple[int, int]:
    time.sleep(0.005 * (n % 4))
    return n * n, os.getpid()


def square_and_worker(n: int) -> tuple[int, int | None]:
    time.sleep(0.002 * (n % 5))
    return n * n, parallel.worker_index()


def fail_on_three(n: int) -> int:
    if n == 3:
        raise InputError(f"E004 doc{n}.txt is empty; give a document that contains text")
    return n


def die(n: int) -> int:
    os._exit(3)


def die_on_five(n: int) -> int:
    if n == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.01)
    return n


def worker_state(n: int) -> tuple[object, object, int]:
    time.sleep(0.05)  # both workers take a task
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM), os.getpid()


def sleep_long(n: int) -> int:
    if n:
        time.sleep(60)
    return n


def hold_sigterm_and_sleep(n: int) -> int:
    if n:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        time.sleep(60)
    return n


def slow_pid(n: int) -> int:
    time.sleep(0.3)
    return os.getpid()


def unpicklable(n: int) -> object:
    return lambda: n


# -- chunks and cores ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "workers", "size"),
    [
        (0, 2, 1),
        (1, 2, 1),
        (15, 2, 1),
        (16, 2, 1),
        (32, 2, 2),
        (200, 2, 8),
        (200, 4, 6),
        (10**6, 2, 8),
    ],
)
def test_chunk_size(tasks: int, workers: int, size: int) -> None:
    assert chunk_size(tasks, workers) == size


def test_available_cores() -> None:
    assert available_cores() == len(os.sched_getaffinity(0))


# -- results ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_the_order_of_the_tasks(workers: int) -> None:
    with WorkerPool(workers) as pool:
        assert list(pool.map(square, range(40))) == [n * n for n in range(40)]


def test_tasks_go_in_chunks_each_to_one_worker() -> None:
    with WorkerPool(2) as pool:
        results = list(pool.map(square_and_pid, range(64)))  # chunks of 4
        pids = {process.pid for process in pool.processes}
    assert [value for value, _ in results] == [n * n for n in range(64)]
    assert {pid for _, pid in results} == pids
    for start in range(0, 64, 4):
        assert len({pid for _, pid in results[start : start + 4]}) == 1


def test_pinned_tasks_run_on_their_worker_in_order() -> None:
    owners: list[int | None] = [(n // 3) % 3 if n % 7 else None for n in range(90)]
    with WorkerPool(3) as pool:
        results = list(pool.map(square_and_worker, range(90), owners))
        # a pool serves an unpinned map after a pinned one
        assert {w for _, w in pool.map(square_and_worker, range(48))} == {0, 1, 2}
    assert [value for value, _ in results] == [n * n for n in range(90)]
    for (_, worker), owner in zip(results, owners, strict=True):
        assert worker is not None
        assert owner is None or worker == owner
    assert parallel.worker_index() is None  # this process is no worker


def started_at(n: int) -> float:
    begun = time.monotonic()
    time.sleep(0.02)
    return begun


def test_pinned_tasks_wait_within_a_window() -> None:
    # worker 1's tasks all come after worker 0's: in chunks of 5, window 8 chunks, it may
    # start its first (chunk 8) only once the first chunk's results are taken
    assert (chunk_size(80, 2), parallel.WINDOW_PER_WORKER * 2) == (5, 8)
    owners: list[int | None] = [*([0] * 40), *([1] * 40)]
    with WorkerPool(2) as pool:
        taken = []
        started = []
        for begun in pool.map(started_at, range(80), owners):
            started.append(begun)
            taken.append(time.monotonic())
    assert started[40] > taken[4]


@pytest.mark.parametrize(
    ("owners", "message"),
    [([0, 1], "2 owners for 3 tasks"), ([0, 2, None], "no worker 2 in a pool of 2")],
)
def test_bad_owners_are_named(owners: list[int | None], message: str) -> None:
    with WorkerPool(2) as pool, pytest.raises(ValueError, match=message):
        list(pool.map(square, range(3), owners))


def test_no_task_no_result() -> None:
    with WorkerPool(2) as pool:
        assert list(pool.map(square, [])) == []


def test_a_pool_serves_one_map_after_another_with_the_same_workers() -> None:
    with WorkerPool(2) as pool:
        pids = {process.pid for process in pool.processes}
        first = {pid for _, pid in pool.map(square_and_pid, range(20))}
        assert [n for n, _ in pool.map(square_and_pid, range(5))] == [0, 1, 4, 9, 16]
        second = {pid for _, pid in pool.map(square_and_pid, range(20))}
    assert first == second == pids  # each worker is given a chunk at once


def test_a_chunk_is_sliced_from_the_tasks_when_it_is_sent() -> None:
    made: list[int] = []

    def make(n: int) -> int:
        made.append(n)
        return n

    tasks = LazyTasks(make, range(64))  # 16 chunks of 4
    assert (len(tasks), tasks[5], made) == (64, 5, [5])
    made.clear()
    with WorkerPool(2) as pool:
        results = pool.map(square, tasks)
        assert next(results) == 0
        # at most the two chunks sent first, and one more to each worker that has finished
        assert len(made) <= 16 and made == list(range(len(made)))
        assert list(results) == [n * n for n in range(1, 64)]
    assert made == list(range(64))


def test_the_results_are_taken_as_the_iterator_is_consumed() -> None:
    with WorkerPool(2) as pool:
        results = pool.map(square, range(10))
        assert next(results) == 0
        assert next(results) == 1
        assert list(results) == [n * n for n in range(2, 10)]


def test_the_initializer_runs_once_in_each_worker() -> None:
    with WorkerPool(2, _mark) as pool:
        marks = list(pool.map(_read_mark, range(16)))
    assert set(marks) == {"ready"}
    assert _MARK == []  # not in this process


_MARK: list[str] = []


def _mark() -> None:
    _MARK.append("ready")


def _read_mark(n: int) -> str:
    time.sleep(0.01)
    return ",".join(_MARK)


def _fail_to_start() -> None:
    raise RuntimeError("no pipeline")


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("tasks", [6, 64])  # chunks of 1, of 4
def test_an_error_in_a_worker_is_raised_as_it_was(tasks: int) -> None:
    done = []
    start = time.monotonic()
    with pytest.raises(InputError) as info, WorkerPool(2) as pool:
        processes = pool.processes
        for result in pool.map(fail_on_three, range(tasks)):
            done.append(result)
    assert done == [0, 1, 2]  # those before it, its chunk's included
    assert str(info.value) == "E004 doc3.txt is empty; give a document that contains text"
    assert info.value.code == "E004"
    assert "in fail_on_three" in str(info.value.__cause__)  # the worker's traceback
    assert all(gone(process.pid) for process in processes if process.pid is not None)
    assert pool.processes == []
    assert time.monotonic() - start < PROMPT


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(OutputError) as info, WorkerPool(2) as pool:
        pids = [process.pid for process in pool.processes]
        list(pool.map(die, range(4)))
    message = str(info.value)
    assert message.startswith("E151 a worker process ended while extracting (process ")
    assert message.endswith(
        " exited with status 3), perhaps out of memory; run again with fewer --jobs "
        "(--jobs 1 extracts in this process)"
    )
    assert int(message.split("(process ")[1].split()[0]) in pids
    assert all(gone(pid) for pid in pids if pid is not None)


def test_a_killed_worker_is_e151_and_the_other_worker_is_ended() -> None:
    results = []
    start = time.monotonic()
    with pytest.raises(OutputError) as info, WorkerPool(2) as pool:
        pids = [process.pid for process in pool.processes]
        for result in pool.map(die_on_five, range(20)):
            results.append(result)
    assert results == list(range(len(results)))  # in order; E151 comes once it is seen
    assert len(results) <= 5
    assert " was killed by SIGKILL), perhaps out of memory;" in str(info.value)
    assert all(gone(pid) for pid in pids if pid is not None)
    assert time.monotonic() - start < PROMPT


def test_a_worker_killed_between_two_maps_is_e151() -> None:
    with pytest.raises(OutputError) as info, WorkerPool(2) as pool:
        assert list(pool.map(square, range(4))) == [0, 1, 4, 9]
        victim = pool.processes[1]
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGTERM)
        victim.join(PROMPT)
        list(pool.map(square, range(4)))
    assert f"(process {victim.pid} was killed by SIGTERM)" in str(info.value)


def test_an_initializer_that_fails_is_e151() -> None:
    with pytest.raises(OutputError) as info, WorkerPool(2, _fail_to_start) as pool:
        list(pool.map(square, range(4)))
    assert " exited with status 1), perhaps out of memory;" in str(info.value)


def test_a_result_that_does_not_pickle_is_an_error() -> None:
    with (
        pytest.raises(RuntimeError, match=r"^a worker's result cannot be sent: "),
        WorkerPool(2) as pool,
    ):
        list(pool.map(unpicklable, range(2)))


def test_a_submitted_task_runs_while_this_process_goes_on() -> None:
    with WorkerPool(2) as pool:
        result = pool.submit(square_and_pid, 7)
        assert pool._busy()  # sent at once, not when its result is asked for
        with pytest.raises(RuntimeError, match="still running"):
            pool.submit(square, 2)
        square_of, pid = result()
        assert (square_of, pid != os.getpid()) == (49, True)
        assert pid in {process.pid for process in pool.processes}
        assert list(pool.map(square, range(3))) == [0, 1, 4]  # the pool serves on


def test_a_submitted_task_raises_its_error_where_its_result_is_asked_for() -> None:
    with WorkerPool(1) as pool:
        result = pool.submit(fail_on_three, 3)
        with pytest.raises(InputError) as info:
            result()
        assert "in fail_on_three" in str(info.value.__cause__)  # the worker's traceback
        assert pool.submit(fail_on_three, 4)() == 4


def test_a_pool_shrinks_to_its_first_workers_which_serve_on() -> None:
    with WorkerPool(3) as pool:
        first, *others = pool.processes
        with pytest.raises(ValueError, match="at least one worker, not 0"):
            pool.shrink(0)
        pool.shrink(1)
        assert pool.processes == [first] and pool.workers == 1
        assert all(gone(process.pid) for process in others if process.pid is not None)
        assert pool.submit(square_and_worker, 3)() == (9, 0)
        assert list(pool.map(square, range(3))) == [0, 1, 4]
        pool.shrink(2)  # no more than it has
        assert pool.processes == [first]


def test_a_shrink_interrupted_leaves_no_worker_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    real_join = parallel._join

    def interrupted(processes: list[multiprocessing.process.BaseProcess], timeout: float) -> None:
        monkeypatch.setattr(parallel, "_join", real_join)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), WorkerPool(3) as pool:
        processes = pool.processes
        monkeypatch.setattr(parallel, "_join", interrupted)
        pool.shrink(1)
    assert len(processes) == 3
    assert all(gone(process.pid) for process in processes if process.pid is not None)
    assert pool.processes == []


def test_a_closed_pool_says_so() -> None:
    with WorkerPool(1) as pool:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        list(pool.map(square, range(2)))
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(square, 2)


# -- signals and ends ---------------------------------------------------------------------------


def test_workers_ignore_sigint_and_end_on_sigterm() -> None:
    with WorkerPool(2) as pool:
        pids = {process.pid for process in pool.processes}
        states = list(pool.map(worker_state, range(2)))
    assert [state[:2] for state in states] == [(signal.SIG_IGN, signal.SIG_DFL)] * 2
    assert {pid for _, _, pid in states} == pids
    assert os.getpid() not in pids


def test_a_sigint_to_the_workers_changes_nothing() -> None:
    with WorkerPool(2) as pool:
        results = pool.map(slow_pid, range(4))
        for process in pool.processes:
            assert process.pid is not None
            os.kill(process.pid, signal.SIGINT)
        pids = list(results)
        assert set(pids) <= {process.pid for process in pool.processes}
        assert [process.exitcode for process in pool.processes] == [None, None]


def test_a_pool_left_normally_ends_its_workers_cleanly() -> None:
    with WorkerPool(2) as pool:
        assert list(pool.map(square, range(8))) == [n * n for n in range(8)]
        processes = pool.processes
    assert [process.exitcode for process in processes] == [0, 0]
    assert pool.processes == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt, ValueError])
def test_leaving_the_pool_on_an_exception_ends_the_workers_at_once(
    stop: type[BaseException],
) -> None:
    start = time.monotonic()
    with pytest.raises(stop), WorkerPool(2) as pool:
        results = pool.map(sleep_long, range(4))
        assert next(results) == 0  # the others are running
        processes = pool.processes
        assert len(processes) == 2
        raise stop
    assert [process.exitcode for process in processes] == [-signal.SIGTERM] * 2
    assert time.monotonic() - start < PROMPT


def test_sigterm_while_waiting_for_results_ends_the_workers_at_once() -> None:
    class Terminated(KeyboardInterrupt):
        pass

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)  # as the CLI does
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    start = time.monotonic()
    try:
        with pytest.raises(Terminated), WorkerPool(2) as pool:
            processes = pool.processes
            timer.start()
            list(pool.map(sleep_long, range(4)))  # waits in the main thread
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert [process.exitcode for process in processes] == [-signal.SIGTERM] * 2
    assert time.monotonic() - start < PROMPT


def test_leaving_the_results_before_their_end_ends_the_busy_workers() -> None:
    start = time.monotonic()
    with WorkerPool(2) as pool:
        processes = pool.processes
        for result in pool.map(sleep_long, range(4)):
            assert result == 0
            break
    assert [process.exitcode for process in processes] == [-signal.SIGTERM] * 2
    assert time.monotonic() - start < PROMPT


def test_a_worker_holding_sigterm_is_killed_after_the_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "GRACE", 0.5)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt), WorkerPool(2) as pool:
        results = pool.map(hold_sigterm_and_sleep, range(4))
        assert next(results) == 0
        processes = pool.processes
        time.sleep(0.2)  # both hold SIGTERM now
        raise KeyboardInterrupt
    assert [process.exitcode for process in processes] == [-signal.SIGKILL] * 2
    assert time.monotonic() - start < PROMPT


def test_spawned_workers_serve_as_forked_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawn, what other systems than Linux get: the pipe passes to the worker as an argument."""
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    with WorkerPool(2) as pool:
        pids = {process.pid for process in pool.processes}
        states = list(pool.map(worker_state, range(2)))
        assert list(pool.map(square, range(12))) == [n * n for n in range(12)]
        processes = pool.processes
    assert [state[:2] for state in states] == [(signal.SIG_IGN, signal.SIG_DFL)] * 2
    assert {pid for _, _, pid in states} == pids
    assert [process.exitcode for process in processes] == [0, 0]
