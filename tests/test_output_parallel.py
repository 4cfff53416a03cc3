"""Tests of output/parallel.py: results in order, errors as raised, workers stopped."""

from __future__ import annotations

import os
import signal
import time

import pytest

from policykg.extract import InputError
from policykg.output.errors import OutputError
from policykg.output.parallel import WorkerPool, available_cores, chunk_size


def square(n: int) -> int:
    time.sleep(0.01 * (n % 3))  # finish out of order
    return n * n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise InputError(f"E004 doc{n}.txt is empty; give a document that contains text")
    return n


def die(n: int) -> int:
    os._exit(3)


def worker_state(n: int) -> tuple[object, object, int]:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM), os.getpid()


def sleep_long(n: int) -> int:
    if n:
        time.sleep(60)
    return n


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


def test_results_come_in_the_order_of_the_tasks() -> None:
    with WorkerPool(2) as pool:
        assert list(pool.map(square, range(40))) == [n * n for n in range(40)]


def test_an_error_in_a_worker_is_raised_as_it_was() -> None:
    done = []
    with pytest.raises(InputError) as info, WorkerPool(2) as pool:
        for result in pool.map(fail_on_three, range(6)):
            done.append(result)
    assert done == [0, 1, 2]
    assert str(info.value) == "E004 doc3.txt is empty; give a document that contains text"
    assert info.value.code == "E004"


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(OutputError) as info, WorkerPool(2) as pool:
        list(pool.map(die, range(4)))
    assert str(info.value).startswith("E151 a worker process ended while extracting (")
    assert str(info.value).endswith(
        "), perhaps out of memory; run again with fewer --jobs (--jobs 1 extracts in this process)"
    )


def test_workers_ignore_sigint_and_end_on_sigterm() -> None:
    with WorkerPool(2) as pool:
        states = list(pool.map(worker_state, range(2)))
    assert {state[:2] for state in states} == {(signal.SIG_IGN, signal.SIG_DFL)}
    assert all(pid != os.getpid() for _, _, pid in states)


def test_leaving_the_pool_on_an_exception_ends_the_workers_at_once() -> None:
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt), WorkerPool(2) as pool:
        results = pool.map(sleep_long, range(4))
        assert next(results) == 0  # the others are running
        processes = list(pool._executor._processes.values())
        assert len(processes) == 2
        raise KeyboardInterrupt
    assert [process.is_alive() for process in processes] == [False, False]
    assert time.monotonic() - start < 30


def test_the_initializer_runs_once_in_each_worker() -> None:
    with WorkerPool(2, _mark) as pool:
        marks = set(pool.map(_read_mark, range(16)))
    assert marks == {"ready"}


_MARK: list[str] = []


def _mark() -> None:
    _MARK.append("ready")


def _read_mark(n: int) -> str:
    time.sleep(0.01)
    return ",".join(_MARK)
