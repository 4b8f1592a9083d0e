"""A sweep split by time on a Dask cluster: one task per window of instants, each propagating
its own window from the same elements, the windows' results handed on in time order as they
come back (`in_time_order`): running states folded with ``absorb`` (`fold_windows`), so
figures that span windows come out as on one machine, or rows written in order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping

from leonet.errors import InputError

# Instants per task: a window of 60 instants over the whole land at res 4 (~25,000 cells)
# and 4,400 satellites is seconds of work, against Dask's ~1 ms per-task overhead.
DEFAULT_TASK_INSTANTS = 60


def windows(n_times: int, task_instants: int) -> list[tuple[int, int]]:
    """``[start, stop)`` index ranges of at most ``task_instants`` covering ``n_times``.

    >>> windows(7, 3)
    [(0, 3), (3, 6), (6, 7)]
    """
    if int(task_instants) != task_instants or task_instants < 1:
        raise InputError(f"task_instants must be a whole number >= 1, got {task_instants}")
    return [(a, min(a + task_instants, n_times)) for a in range(0, n_times, task_instants)]


def fold_windows(client, task: Callable, inputs: Mapping[str, object], n_times: int, *,
                 task_instants: int = DEFAULT_TASK_INSTANTS,
                 progress: Callable[[int], None] | None = None, **options):
    """``task(*inputs.values(), start, stop, **options)`` for every window of ``n_times``
    instants on the cluster behind ``client``, folded in time order with ``absorb``."""
    total = None
    for _, _, state in in_time_order(client, task, inputs, n_times,
                                     task_instants=task_instants, progress=progress,
                                     **options):
        if total is None:
            total = state
        else:
            total.absorb(state)
    return total


def in_time_order(client, task: Callable, inputs: Mapping[str, object], n_times: int, *,
                  task_instants: int = DEFAULT_TASK_INSTANTS,
                  progress: Callable[[int], None] | None = None,
                  **options) -> Iterator[tuple[int, int, object]]:
    """``(start, stop, task(*inputs.values(), start, stop, **options))`` for every window of
    ``n_times`` instants on the cluster behind ``client``, yielded in time order.

    The inputs travel once, each inside a task of its own rather than by `Client.scatter`: a
    task's result is recomputed if the worker holding it dies, where scattered data would be
    lost with it (and Dask then runs the lost windows again elsewhere). ``progress`` gets the
    instants of each window as it comes back. Closing the generator early cancels the run.
    """
    # Heavy optional dependency: imported only when a cluster is used.
    from distributed import as_completed

    if n_times == 0:
        raise InputError("no instants were added: the time grid is empty")
    spans = windows(n_times, task_instants)
    # Keys unique to this run: a later run must never meet an earlier run's released keys.
    run = uuid.uuid4().hex
    held = hold_inputs(client, inputs, run)
    futures = [client.submit(task, *held, a, b, key=f"window-{a}-{b}-{run}", pure=False,
                             **options)
               for a, b in spans]
    span = {f.key: (a, b) for f, (a, b) in zip(futures, spans, strict=True)}
    stop_of = dict(spans)
    finished: dict[int, object] = {}  # window results by first instant, not yet yielded
    done_up_to = 0
    try:
        for done in as_completed(futures):
            a, b = span[done.key]
            try:
                finished[a] = done.result()
            except InputError as exc:  # bad input: say which window, as one machine says where
                raise InputError(str(exc), f"instants {a}-{b - 1} of {n_times}") from None
            done.release()  # the worker may drop the window's result now
            # Hand on every window that now follows on without a hole: only the windows that
            # finished ahead of an earlier one wait, never the whole sweep's results.
            while done_up_to in finished:
                stop = stop_of[done_up_to]
                yield done_up_to, stop, finished.pop(done_up_to)
                done_up_to = stop
            if progress is not None:
                progress(b - a)
    finally:
        # On an error, nothing of this run keeps running or held on the cluster.
        client.cancel([*futures, *held])


def hold_inputs(client, inputs: Mapping[str, object], run: str) -> list:
    """Futures holding ``inputs`` on the cluster, each inside a task of its own, keyed for
    the ``run``: a task's result is recomputed if the worker holding it dies, where data
    given to `Client.scatter` would be lost with it."""
    return [client.submit(_same, value, key=f"input-{name}-{run}", pure=False)
            for name, value in inputs.items()]


def _same(value):
    """The task that holds an input on the cluster."""
    return value
