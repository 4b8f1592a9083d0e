"""Shared inputs of the packet tests."""

from __future__ import annotations

import pytest

from leonet.packets.topology import from_route_series
from leonet.physics.timegrid import TimeGrid


@pytest.fixture(scope="session")
def paris_berlin():
    from leonet.api import Constellation, Network
    from leonet.physics.ground import place

    net = Network.build(Constellation.load("starlink-gen1"))
    # 00:00:05 .. 00:00:35: operator mode crosses the slot boundaries at :12 and :27.
    grid = TimeGrid.range("2026-12-05T00:00:05Z", "30s", "100ms")
    series = net.routes(place("Paris"), place("Berlin"), grid, mode="operator")
    return series, from_route_series(series, net, 0.1)
