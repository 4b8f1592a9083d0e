"""A `distributed.Client` from the command line's ``--workers N`` (a local cluster of N worker
processes) or ``--scheduler tcp://HOST:PORT`` (an existing cluster), with their checks.

Dask is imported only inside `open_client`: a run without either option never imports it.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from leonet.errors import InputError

# Seconds for each step of reaching a scheduler (TCP connect, Dask handshake, registering the
# client): a scheduler answers in milliseconds; the issue bounds the whole exit at 10 s.
CONNECT_TIMEOUT_S = 3.0
# More local workers than this many per core only adds scheduling overhead.
MAX_WORKERS_PER_CORE = 4
_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):(\d{1,5})$")


def check_address(address: str, *, where: str = "--scheduler") -> str:
    """``tcp://host:port`` or ``tls://host:port`` with a port 1-65535, else a clear error."""
    m = _ADDRESS.match(address.strip())
    if m is None or not 1 <= int(m.group(3)) <= 65535:
        raise InputError(f"expected tcp://HOST:PORT or tls://HOST:PORT, got {address!r}", where)
    return address.strip()


def check_workers(n: int, *, where: str = "--workers") -> int:
    """A worker count between 1 and the machine's cores x `MAX_WORKERS_PER_CORE`."""
    limit = (os.cpu_count() or 1) * MAX_WORKERS_PER_CORE
    if not 1 <= n <= limit:
        raise InputError(f"must be between 1 and {limit} (cores x {MAX_WORKERS_PER_CORE}), "
                         f"got {n}", where)
    return n


def check_choice(workers: int | None, scheduler: str | None) -> None:
    """Refuse both options at once and check the one given, before any long computation."""
    if workers is not None and scheduler is not None:
        raise InputError("give --workers or --scheduler, not both")
    if workers is not None:
        check_workers(workers)
    if scheduler is not None:
        check_address(scheduler)


def _listening(address: str) -> None:
    """Fail at once when nothing listens at ``address`` or its host does not resolve: Dask's
    connect would retry a refused address until its timeout."""
    host, port = _ADDRESS.match(address).group(2, 3)
    try:
        socket.create_connection((host.strip("[]"), int(port)),
                                 timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"cannot reach the Dask scheduler ({reason})", address) from None


def _answers(address: str) -> None:
    """Fail within `CONNECT_TIMEOUT_S` when what listens at ``address`` does not speak Dask:
    `distributed.Client` would wait for its handshake forever (that read has no timeout)."""
    from distributed.comm import connect  # optional extra, only on the --scheduler path
    from distributed.security import Security

    async def handshake() -> None:
        comm = await asyncio.wait_for(
            connect(address, timeout=CONNECT_TIMEOUT_S,
                    **Security().get_connection_args("client")), CONNECT_TIMEOUT_S)
        await comm.close()

    try:
        asyncio.run(handshake())
    except (OSError, TimeoutError):
        raise InputError(f"no Dask scheduler answers there within {CONNECT_TIMEOUT_S:g} s",
                         address) from None


@contextmanager
def open_client(workers: int | None = None, scheduler: str | None = None, *,
                say=None) -> Iterator[object | None]:
    """Yield a `distributed.Client` (None when neither option is given), closed on exit.

    A local cluster runs ``workers`` single-threaded worker processes on the loopback address
    (numba and BLAS threads would otherwise fight over the cores the workers share); ``say``
    receives its dashboard link. An unreachable scheduler raises `InputError` after
    `CONNECT_TIMEOUT_S`.
    """
    check_choice(workers, scheduler)
    if workers is None and scheduler is None:
        yield None
        return
    if scheduler is not None:
        _listening(scheduler)  # before importing Dask: a refused address fails at once
    # Heavy optional dependency: imported only when a cluster is asked for.
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed: pip install 'leonet[dask]'") from None
    import leonet.distributed.elements  # noqa: F401  (registers Satrec pickling)

    if scheduler is not None:
        _answers(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError):
            raise InputError(f"cannot reach the Dask scheduler within {CONNECT_TIMEOUT_S:g} s",
                             scheduler) from None
        with client:
            yield client
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0")
    with cluster, Client(cluster) as client:
        if say is not None:
            say(f"Dask local cluster of {workers} workers; dashboard: {client.dashboard_link}")
        yield client
