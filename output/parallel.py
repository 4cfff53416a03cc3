"""Worker processes for the extraction of many documents, results in order.

:class:`WorkerPool` starts its worker processes (:class:`multiprocessing.Process`) itself,
each with a pipe of its own; the main process alone sends chunks of tasks and reads results,
with no thread and no queue shared between workers. Each worker runs an initializer once (the
spaCy pipeline loads there, once per worker), tasks go in chunks, and results come back in the
order of the tasks, so that the output does not depend on the number of workers. A task can
be pinned to one worker (:meth:`WorkerPool.map`'s ``owners``): the one that holds what it
needs in its memory (:func:`worker_index` tells a worker which it is). Workers
ignore SIGINT (a Ctrl-C in a terminal reaches every process of the group: the main process
decides) and die on SIGTERM; leaving the pool because of an exception (an error in a
document, Ctrl-C, SIGTERM) terminates the workers at once, and the pool joins every worker it
started before it is left. A worker that dies (killed, out of memory) is :class:`OutputError`
E151, not a hang: the main process waits on the workers' pipes and their process sentinels
together. On Linux the workers are forked (they share the modules loaded already), elsewhere
spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

from .cache import _signals_blocked
from .errors import Errors, OutputError
from .files import _signals_held

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, SpawnContext

__all__ = ["LazyTasks", "WorkerPool", "available_cores", "chunk_size", "worker_index"]

T = TypeVar("T")
R = TypeVar("R")
Item = TypeVar("Item")

#: Chunks per worker aimed at: enough for an even end, few enough to keep overhead small.
CHUNKS_PER_WORKER = 8
#: At most this many tasks in a chunk (progress is reported per chunk).
MAX_CHUNK = 8
#: How many chunks pinned tasks may run ahead of the result taken next, per worker: a
#: worker whose next tasks lie further ahead waits, so results waiting to be taken stay few.
WINDOW_PER_WORKER = 4
#: Seconds the workers are given to end after they are asked to (their pipe closed, or
#: SIGTERM, which a worker holds while it writes a cache entry) before they are killed.
GRACE = 5.0


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity where known)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


#: This process's index in its pool (None in a process that is no worker).
_INDEX: int | None = None


def worker_index() -> int | None:
    """The index of this worker process in its pool (0, 1, …), None outside a worker."""
    return _INDEX


def chunk_size(tasks: int, workers: int) -> int:
    """Tasks per chunk: about :data:`CHUNKS_PER_WORKER` chunks per worker, at most
    :data:`MAX_CHUNK` tasks each."""
    return max(1, min(MAX_CHUNK, tasks // (workers * CHUNKS_PER_WORKER)))


class LazyTasks(Sequence[T], Generic[Item, T]):
    """The tasks ``make(item)`` of ``items``, each made when it is taken: since
    :meth:`WorkerPool.map` slices a chunk from its tasks when it sends it, a map of these
    makes its tasks while the workers run, not all before any starts."""

    def __init__(self, make: Callable[[Item], T], items: Sequence[Item]) -> None:
        self._make = make
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, item: int) -> T: ...

    @overload
    def __getitem__(self, item: slice) -> list[T]: ...

    def __getitem__(self, item: int | slice) -> T | list[T]:
        if isinstance(item, slice):
            return [self._make(one) for one in self._items[item]]
        return self._make(self._items[item])


class _Worker:
    """A worker process, the main process's end of its pipe, the chunk it is working on."""

    __slots__ = ("chunk", "connection", "process")

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.chunk: int | None = None


class WorkerPool:
    """``workers`` processes, each set up by ``initializer``; use as a context manager.

    One :meth:`map` at a time; the pool may serve several in turn.
    """

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, not {workers}")
        self.workers = workers
        self._workers: list[_Worker] = []
        try:
            # Ctrl-C and SIGTERM wait until every worker is started and known: a forked
            # worker is born with them blocked, and takes them once its handlers are set.
            with _signals_held(), _signals_blocked():
                for _ in range(workers):
                    self._start(initializer)
        except BaseException:
            self.terminate()
            raise

    def _start(self, initializer: Callable[[], None] | None) -> None:
        context = _context()
        fork = context.get_start_method() == "fork"
        mine, theirs = context.Pipe()
        # A forked worker closes its copies of the main process's ends (its own and those of
        # the workers started before it): each worker then sees the main process go away.
        inherited = [worker.connection for worker in self._workers] + [mine] if fork else []
        index = len(self._workers)
        process = context.Process(
            target=_serve, args=(theirs, initializer, inherited, index), daemon=True
        )
        self._workers.append(_Worker(process, mine))
        process.start()
        theirs.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.terminate()

    @property
    def processes(self) -> list[BaseProcess]:
        """The worker processes (none once the pool is closed or terminated)."""
        return [worker.process for worker in self._workers]

    def map(
        self,
        function: Callable[[T], R],
        tasks: Sequence[T],
        owners: Sequence[int | None] | None = None,
    ) -> Iterator[R]:
        """``function`` of each task, in the workers, in the order of ``tasks``.

        ``function`` and the tasks must pickle (a module-level function, plain data). The
        chunks are sent as the results are taken, each sliced from ``tasks`` when it is sent
        (a sequence that makes its tasks when sliced makes them while the workers run); the
        error a task raised is raised where its result would have come. ``owners`` pins each
        task to the worker of that index (None: any worker); pinned chunks run at most
        :data:`WINDOW_PER_WORKER` chunks a worker ahead of the result taken next. Leaving the
        iterator before its end, or an error (E151 included), ends the workers still busy.
        """
        if owners is not None and len(owners) != len(tasks):
            raise ValueError(f"{len(owners)} owners for {len(tasks)} tasks")
        size = chunk_size(len(tasks), self.workers)
        chunks: list[tuple[int, int]] = []  # each chunk's tasks, start and end
        queues: dict[int | None, deque[int]] = {}
        start = 0
        for end in range(1, len(tasks) + 1):
            owner = owners[start] if owners is not None else None
            changes = owners is not None and end < len(tasks) and owners[end] != owner
            if end == len(tasks) or end - start == size or changes:
                if owner is not None and not 0 <= owner < self.workers:
                    raise ValueError(f"no worker {owner} in a pool of {self.workers}")
                queues.setdefault(owner, deque()).append(len(chunks))
                chunks.append((start, end))
                start = end
        if not chunks:
            return
        if not self._workers:
            raise RuntimeError("the worker pool is closed")
        if self._busy():
            raise RuntimeError("another map of this worker pool is still running")
        window = WINDOW_PER_WORKER * self.workers if owners is not None else len(chunks)
        done: dict[int, tuple[list[R], BaseException | None]] = {}
        try:
            for index in range(len(chunks)):
                while True:
                    self._send(function, tasks, chunks, queues, index + window)
                    if index in done:
                        break
                    self._receive(done)
                results, error = done.pop(index)
                yield from results
                if error is not None:
                    raise error
        finally:
            if self._busy():  # left before the end: nobody takes what they are doing
                self.terminate()

    def submit(self, function: Callable[[T], R], task: T) -> Callable[[], R]:
        """Start ``function(task)`` in an idle worker now, and return a call that waits for
        its result (the error it raised is raised there): for work that runs beside this
        process's own. Not while a :meth:`map` or another submitted task is running."""
        if not self._workers:
            raise RuntimeError("the worker pool is closed")
        if self._busy():
            raise RuntimeError("another map of this worker pool is still running")
        self._send(function, [task], [(0, 1)], {None: deque([0])}, 1)

        def result() -> R:
            done: dict[int, tuple[list[R], BaseException | None]] = {}
            try:
                while 0 not in done:
                    self._receive(done)
            finally:
                if self._busy():  # left before the end: nobody takes what it is doing
                    self.terminate()
            results, error = done.pop(0)
            if error is not None:
                raise error
            return results[0]

        return result

    def shrink(self, workers: int) -> None:
        """End the workers past the first ``workers`` and join them, their memory given back,
        while the others serve on (a build keeps one for the graph page's layout). Not
        during a :meth:`map` or a submitted task."""
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, not {workers}")
        if self._busy():
            raise RuntimeError("another map of this worker pool is still running")
        # the ending workers stay the pool's until they are gone: an interruption meanwhile
        # (Ctrl-C) terminates them with the others
        left = _end_idle(self._workers[workers:])
        for process in left:
            process.kill()
        _join(left, GRACE)
        del self._workers[workers:]
        self.workers = min(self.workers, workers)

    def close(self) -> None:
        """End the workers when they are idle (what is busy is terminated), and join them."""
        try:
            if not self._busy():
                _end_idle(self._workers)
        finally:
            self.terminate()

    def terminate(self) -> None:
        """End the workers now (SIGTERM, then SIGKILL after :data:`GRACE` seconds), and
        join them."""
        workers, self._workers = self._workers, []
        processes = [worker.process for worker in workers if worker.process.pid is not None]
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        for worker in workers:
            worker.connection.close()
        left = _join(processes, GRACE)
        for process in left:  # SIGTERM held too long (while a cache entry is written)
            process.kill()
        _join(left, GRACE)

    def _busy(self) -> bool:
        return any(worker.chunk is not None for worker in self._workers)

    def _send(
        self,
        function: Callable[[T], R],
        tasks: Sequence[T],
        chunks: list[tuple[int, int]],
        queues: dict[int | None, deque[int]],
        limit: int,
    ) -> None:
        """Give each idle worker its next chunk below ``limit``: the first of those pinned to
        it and those of any worker (taken from ``queues``)."""
        shared = queues.get(None)
        for number, worker in enumerate(self._workers):
            if worker.chunk is not None:
                continue
            own = queues.get(number)
            candidates = [queue for queue in (own, shared) if queue and queue[0] < limit]
            if not candidates:
                continue
            chunk = min(candidates, key=lambda queue: queue[0]).popleft()
            start, end = chunks[chunk]
            sent = tasks[start:end]
            try:
                worker.connection.send((chunk, function, sent))
            except OSError:
                self._lost(worker)
            worker.chunk = chunk

    def _receive(self, done: dict[int, tuple[list[R], BaseException | None]]) -> None:
        """Wait for results (at least one) and put them in ``done``; E151 if a worker ended."""
        waited: list[Any] = [worker.connection for worker in self._workers]
        waited += [worker.process.sentinel for worker in self._workers]
        ready = set(wait(waited))
        for worker in list(self._workers):
            if worker.connection in ready:
                try:
                    index, results, error, trace = worker.connection.recv()
                except (EOFError, OSError):  # the worker ended, perhaps in the middle
                    self._lost(worker)
                if error is not None and trace:
                    error.__cause__ = _RemoteTraceback(trace)
                done[index] = results, error
                worker.chunk = None
            elif worker.process.sentinel in ready:
                self._lost(worker)

    def _lost(self, worker: _Worker) -> NoReturn:
        """Terminate the pool and raise E151 for ``worker``, which ended."""
        process = worker.process
        process.join(GRACE)
        code = process.exitcode
        if code is None:
            how = "closed its pipe"
        elif code < 0:
            how = f"was killed by {_signal_name(-code)}"
        else:
            how = f"exited with status {code}"
        self.terminate()
        raise OutputError(Errors.E151.format(reason=f"process {process.pid} {how}"))


def _context() -> ForkContext | SpawnContext:
    """Fork on Linux (the workers share the modules loaded already), spawn elsewhere."""
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _RemoteTraceback(Exception):
    """The traceback of an error raised in a worker (the cause of the error raised here)."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""'


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _end_idle(workers: Sequence[_Worker]) -> list[BaseProcess]:
    """Ask idle ``workers`` to end (their pipes closed) and join them within :data:`GRACE`
    seconds; the processes still running."""
    for worker in workers:
        with contextlib.suppress(OSError):  # ended already
            worker.connection.send(None)
        worker.connection.close()
    return _join([worker.process for worker in workers], GRACE)


def _join(processes: Sequence[BaseProcess], timeout: float) -> list[BaseProcess]:
    """Join ``processes`` within ``timeout`` seconds in all; those still running."""
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    return [process for process in processes if process.exitcode is None]


def _serve(
    connection: Connection,
    initializer: Callable[[], None] | None,
    inherited: list[Connection],
    index: int,
) -> None:
    """A worker's life: set its signals (SIGINT ignored, SIGTERM ends it) and its
    :func:`worker_index`, run ``initializer``, then run the chunks it is sent until it is
    sent None or its pipe closes.
    """
    global _INDEX
    _INDEX = index
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    for other in inherited:
        other.close()
    if initializer is not None:
        initializer()
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        index, function, chunk = message
        results = []
        reply: tuple[int, list[Any], Exception | None, str]
        try:
            for task in chunk:
                results.append(function(task))
        except Exception as exc:
            reply = (index, results, exc, "".join(traceback.format_exception(exc)))
        else:
            reply = (index, results, None, "")
        try:
            _reply(connection, reply)
        except OSError:  # the main process has gone
            return


def _reply(connection: Connection, message: tuple[int, list[Any], Exception | None, str]) -> None:
    """Send ``message``; an error in its place if it does not pickle."""
    try:
        connection.send(message)
    except OSError:
        raise
    except Exception as exc:  # pickling fails before anything is written
        index, _, _, trace = message
        error = RuntimeError(f"a worker's result cannot be sent: {type(exc).__name__}: {exc}")
        connection.send((index, [], error, trace))
