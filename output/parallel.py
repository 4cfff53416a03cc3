"""Worker processes for the extraction of many documents, results in order.

:class:`WorkerPool` wraps a :class:`~concurrent.futures.ProcessPoolExecutor`: each worker
runs an initializer once (the spaCy pipeline loads there, once per worker), tasks go in
chunks, and results come back in the order of the tasks, so that the output does not depend
on the number of workers. Workers ignore SIGINT (a Ctrl-C in a terminal reaches every process
of the group: the main process decides) and die on SIGTERM; leaving the pool because of an
exception (an error in a document, Ctrl-C, SIGTERM) cancels what is left and terminates the
workers at once. A worker that dies (killed, out of memory) is :class:`OutputError` E151,
not a hang. On Linux the workers are forked (they share the modules loaded already),
elsewhere spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TypeVar

from .errors import Errors, OutputError

__all__ = ["WorkerPool", "available_cores", "chunk_size"]

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per worker aimed at: enough for an even end, few enough to keep overhead small.
CHUNKS_PER_WORKER = 8
#: At most this many tasks in a chunk (progress is reported per chunk).
MAX_CHUNK = 8


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity where known)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def chunk_size(tasks: int, workers: int) -> int:
    """Tasks per chunk: about :data:`CHUNKS_PER_WORKER` chunks per worker, at most
    :data:`MAX_CHUNK` tasks each."""
    return max(1, min(MAX_CHUNK, tasks // (workers * CHUNKS_PER_WORKER)))


class WorkerPool:
    """``workers`` processes, each set up by ``initializer``; use as a context manager."""

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        method = "fork" if sys.platform == "linux" else "spawn"
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(initializer,),
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self._executor.shutdown(wait=True)
        else:
            self.terminate()

    def map(self, function: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``function`` of each task, in the workers, in the order of ``tasks``.

        ``function`` and the tasks must pickle (a module-level function, plain data).
        """
        chunks = chunk_size(len(tasks), self.workers)
        try:
            yield from self._executor.map(function, tasks, chunksize=chunks)
        except BrokenProcessPool as exc:
            reason = str(exc) or type(exc).__name__
            raise OutputError(Errors.E151.format(reason=reason.rstrip("."))) from None

    def terminate(self) -> None:
        """Cancel the tasks not started and end the workers now (SIGTERM)."""
        executor = self._executor
        stop = getattr(executor, "terminate_workers", None)  # Python 3.14
        if stop is not None:
            stop()
            return
        # before shutdown(), which forgets them
        processes = list((getattr(executor, "_processes", None) or {}).values())
        manager = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():  # SIGTERM is blocked while a worker writes a cache entry
                process.kill()
                process.join(timeout=5)
        # A worker killed while sending a result leaves half a message in the result pipe,
        # which the executor's thread would wait for forever (and the interpreter's exit with
        # it): with the workers gone, closing this process's end of the pipe ends the wait.
        results = getattr(executor, "_result_queue", None)
        writer = getattr(results, "_writer", None)
        if writer is not None and not any(process.is_alive() for process in processes):
            writer.close()
        if manager is not None:  # so that nothing of the pool runs at the interpreter's exit
            manager.join(timeout=10)


def _start_worker(initializer: Callable[[], None] | None) -> None:
    """Set a worker's signals (SIGINT ignored, SIGTERM ends it), then run ``initializer``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer()
