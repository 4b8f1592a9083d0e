"""One loopback Dask cluster (a ``dask scheduler`` and two ``dask worker`` processes) for the
whole cluster suite: starting one costs seconds of imports on a loaded machine, so every test
that does not kill a worker shares it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    from tests.distributed.cluster import loopback_cluster

    with loopback_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c
