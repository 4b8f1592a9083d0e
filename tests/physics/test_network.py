"""The four route modes against an independent graph built here and scipy's csgraph."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from leonet.errors import InputError
from leonet.physics.ground import concat_points, find_city, wgs84
from leonet.physics.ground_segment import starlink_gateways, starlink_pops
from leonet.physics.network import FIBRE_INDEX, FIBRE_ROUTE_FACTOR, Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.route_series import NO_SATELLITE, REASONS, SERVING_NO_GATEWAY
from leonet.physics.timegrid import TimeGrid

C_KM_MS = 299_792.458 / 1000.0
R_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return 2 * R_KM * np.arcsin(np.sqrt(h))


def elevation_deg(lat_deg, lon_deg, p_km, s_km):
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    d = s_km[None, :, :] - p_km[:, None, :]
    return np.degrees(np.arcsin(np.einsum("gsk,gk->gs", d, up) / np.linalg.norm(d, axis=2)))


@pytest.fixture(scope="module")
def setup():
    sats = Constellation.load("starlink-gen1").filter(alt_km=(549, 551))
    net = Network.build(sats)
    src = concat_points([find_city(c).point() for c in ("Kyiv", "Taipei", "Quito")])
    dst = concat_points([find_city(c).point() for c in ("London", "Tokyo", "Miami")])
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "90s", "30s")
    eph = sats.propagate(grid)
    return net, src, dst, grid, eph


def fibre_km_eq(gc_km):
    return gc_km * FIBRE_ROUTE_FACTOR * FIBRE_INDEX


def independent_to_pop(net, r, pop, lasers=True):
    """Shortest vacuum-equivalent km from every satellite to PoP ``pop``: satellites, then
    gateways, then the PoP, edges written out here."""
    n, gw = r.shape[0], net.gateways.points
    g = len(gw)
    rows, cols, w = [], [], []
    if lasers:
        a, b = net.isls.a, net.isls.b
        length = np.linalg.norm(r[a] - r[b], axis=1)
        ok = length <= 5400.0
        rows += [a[ok], b[ok]]
        cols += [b[ok], a[ok]]
        w += [length[ok], length[ok]]
    el = elevation_deg(gw.lat_deg, gw.lon_deg, gw.r_ecef_km, r)
    gi, si = np.nonzero(el >= 25.0)
    rows.append(si)
    cols.append(n + gi)
    w.append(np.linalg.norm(r[si] - gw.r_ecef_km[gi], axis=1))
    back = haversine_km(gw.lat_deg, gw.lon_deg, net.pops.points.lat_deg[pop],
                        net.pops.points.lon_deg[pop])
    rows.append(n + np.arange(g))
    cols.append(np.full(g, n + g))
    w.append(fibre_km_eq(back))
    m = coo_matrix((np.concatenate(w), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(n + g + 1, n + g + 1)).tocsr()
    return dijkstra(m, directed=True, indices=np.arange(n))[:, n + g]


@pytest.mark.parametrize("mode", ["operator", "bentpipe"])
def test_operator_and_bentpipe_equal_the_reference(setup, mode):
    net, src, dst, grid, eph = setup
    series = net.routes(src, dst, grid, mode=mode)
    pops = series.pop_index
    checked = 0
    for k in range(len(grid)):
        r = eph.r_ecef_km[k]
        for i in range(2):  # Kyiv and Taipei have service
            s = series.serving[k, i]
            if not series.available[k, i]:
                continue
            to_pop = independent_to_pop(net, r, pops[i], lasers=(mode == "operator"))
            up = np.linalg.norm(r[s] - src.r_ecef_km[i])
            fib = fibre_km_eq(haversine_km(net.pops.points.lat_deg[pops[i]],
                                           net.pops.points.lon_deg[pops[i]],
                                           dst.lat_deg[i], dst.lon_deg[i]))
            expected_ms = (up + to_pop[s] + fib) / C_KM_MS
            assert series.one_way_ms[k, i] == pytest.approx(expected_ms, abs=1e-6)
            labels = series.path(k, i)
            assert labels[0] == src.names[i] and labels[-1] == dst.names[i]
            assert labels[-2] == f"PoP {net.pops.names[pops[i]]}"
            assert labels[-3].startswith("gateway ")
            if mode == "bentpipe":
                assert len(labels) == 5  # terminal, satellite, gateway, PoP, destination
            checked += 1
    assert checked >= 6
    assert np.all(series.rtt_ms[np.isfinite(series.rtt_ms)] > 0)


def test_space_mode_equals_the_reference(setup):
    net, src, dst, grid, eph = setup
    series = net.routes(src, dst, grid, mode="space")
    for k in range(len(grid)):
        r = eph.r_ecef_km[k]
        n = r.shape[0]
        a, b = net.isls.a, net.isls.b
        length = np.linalg.norm(r[a] - r[b], axis=1)
        for i in range(2):
            e_s = elevation_deg(src.lat_deg[i:i + 1], src.lon_deg[i:i + 1],
                                src.r_ecef_km[i:i + 1], r)[0]
            e_d = elevation_deg(dst.lat_deg[i:i + 1], dst.lon_deg[i:i + 1],
                                dst.r_ecef_km[i:i + 1], r)[0]
            us, ud = np.flatnonzero(e_s >= 25), np.flatnonzero(e_d >= 25)
            rows = np.concatenate([a, b, np.full(us.size, n), ud])
            cols = np.concatenate([b, a, us, np.full(ud.size, n + 1)])
            w = np.concatenate([length, length,
                                np.linalg.norm(r[us] - src.r_ecef_km[i], axis=1),
                                np.linalg.norm(r[ud] - dst.r_ecef_km[i], axis=1)])
            m = coo_matrix((w, (rows, cols)), shape=(n + 2, n + 2)).tocsr()
            ref_km = dijkstra(m, directed=True, indices=[n])[0, n + 1]
            assert series.one_way_ms[k, i] == pytest.approx(ref_km / C_KM_MS, abs=1e-6)


def test_fibre_mode(setup):
    net, src, dst, grid, _ = setup
    series = net.routes(src, dst, grid, mode="fibre")
    gc = haversine_km(src.lat_deg, src.lon_deg, dst.lat_deg, dst.lon_deg)
    expected = fibre_km_eq(gc) / C_KM_MS
    assert np.allclose(series.one_way_ms, expected[None, :], atol=1e-9)
    assert series.path(0, 0) == ["Kyiv", "London"]
    assert series.hops[0].tolist() == [1, 1, 1]


def test_no_service_is_reported_never_raised(setup):
    net, _, _, grid, _ = setup
    # 53° shell: nothing is ever above 25° at 80° S.
    polar = wgs84.point(-80.0, 0.0, name="Polar station")
    kyiv = find_city("Kyiv").point()
    series = net.routes(polar, kyiv, grid, mode="operator")
    assert np.all(np.isnan(series.rtt_ms)) and not np.any(np.isinf(series.rtt_ms))
    assert np.all(series.reason == NO_SATELLITE)
    assert series.summary(0)["no_service"] == {REASONS[NO_SATELLITE]: len(grid)}
    # Bent pipe with gateways in Australia only: Kyiv sees satellites, none sees a gateway.
    gw = starlink_gateways()
    aus = Network(net.constellation, None, gw[np.flatnonzero(gw.country == "AU")],
                  starlink_pops())
    series = aus.routes(kyiv, kyiv, grid, mode="bentpipe")
    assert np.all(series.reason == SERVING_NO_GATEWAY)
    assert np.all(np.isnan(series.one_way_ms)) and series.path(0, 0) == []
    assert series.summary(0)["availability"] == 0.0


def test_path_changes_and_summary(setup):
    net, src, dst, _, _ = setup
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "5m", "5s")
    series = net.routes(src[:1], dst[:1], grid, mode="operator")
    k_ch, _ = series.path_changes()
    for k in range(1, len(grid)):
        changed = series.path(k, 0) != series.path(k - 1, 0)
        assert changed == (k in set(k_ch.tolist()))
    summ = series.summary(0)
    rtt = series.rtt_ms[:, 0]
    assert summ["rtt_ms_median"] == pytest.approx(np.median(rtt))
    assert summ["path_changes"] == k_ch.size
    r, share = series.cdf(0)
    assert r.size == len(grid) and share[-1] == 1.0 and np.all(np.diff(r) >= 0)


def test_bad_network_input(setup):
    net, src, dst, grid, _ = setup
    with pytest.raises(InputError, match="unknown mode 'pigeon'; expected one of operator, "
                                         "space, bentpipe, fibre"):
        net.routes(src, dst, grid, mode="pigeon")
    with pytest.raises(InputError, match="unknown mode 'Operator'"):
        net.schedule(src, grid.utc[0], grid.utc[-1], mode="Operator")
    with pytest.raises(InputError, match="route factor"):
        Network(net.constellation, net.isls, net.gateways, net.pops, fibre_route_factor=0.5)
    with pytest.raises(InputError, match="3 sources but 1 destinations"):
        net.routes(src, dst[:1], grid)


def test_lowest_latency_strategy_picks_the_fastest_route(setup):
    """At slot starts, the route-aware scheduler's choice is the fastest over every
    candidate (checked against the independent graph) and never slower than the
    highest-elevation choice."""
    net, src, dst, _, _ = setup
    grid = TimeGrid.range("2026-08-23T00:00:12Z", "45s", "15s")  # slot starts
    fast = net.routes(src[:2], dst[:2], grid, mode="operator", strategy="lowest_latency")
    high = net.routes(src[:2], dst[:2], grid, mode="operator", strategy="highest_elevation")
    assert np.all(fast.one_way_ms <= high.one_way_ms + 1e-9)
    eph = net.constellation.propagate(grid)
    for k in (0, 2):
        r = eph.r_ecef_km[k]
        for i in range(2):
            to_pop = independent_to_pop(net, r, fast.pop_index[i])
            el0 = elevation_deg(src.lat_deg[i:i + 1], src.lon_deg[i:i + 1],
                                src.r_ecef_km[i:i + 1], r)[0]
            slot_end = TimeGrid(grid.utc[k:k + 1] + np.timedelta64(15, "s"))
            r_end = net.constellation.propagate(slot_end).r_ecef_km[0]
            el1 = elevation_deg(src.lat_deg[i:i + 1], src.lon_deg[i:i + 1],
                                src.r_ecef_km[i:i + 1], r_end)[0]
            cand = np.flatnonzero((el0 >= 25) & (el1 >= 25))
            route = np.linalg.norm(r[cand] - src.r_ecef_km[i], axis=1) + to_pop[cand]
            assert fast.serving[k, i] == cand[np.argmin(route)]
