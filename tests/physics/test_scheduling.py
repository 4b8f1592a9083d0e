"""Serving-satellite scheduling against brute force over every satellite."""

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.ground import wgs84
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.scheduling import (
    Candidates,
    longest_visible,
    schedule,
    slot_grid,
)
from leonet.physics.timegrid import TimeGrid

MASK_DEG = 25.0


@pytest.fixture(scope="module")
def setup():
    sats = Constellation.load("starlink-gen1").filter(alt_km=(539, 551))  # two 53° shells
    kyiv = wgs84.point([50.45, -33.9], [30.52, 18.4], name=["Kyiv", "Cape Town"],
                       min_elevation_deg=MASK_DEG)
    slots, n_slots = slot_grid(np.datetime64("2026-08-23T00:00:00"),
                               np.datetime64("2026-08-23T00:20:00"))
    r = sats.propagate(slots).r_ecef_km
    return sats, kyiv, slots, n_slots, r


def _elevation_deg(points, r_sat):
    """Textbook elevation of every satellite from every point (geodetic up vector)."""
    lat, lon = np.radians(points.lat_deg), np.radians(points.lon_deg)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    d = r_sat[None, :, :] - points.r_ecef_km[:, None, :]
    return np.degrees(np.arcsin(np.einsum("psk,pk->ps", d, up) / np.linalg.norm(d, axis=2)))


def test_slot_boundaries_follow_the_measured_15_s_grid():
    slots, n = slot_grid(np.datetime64("2026-08-23T00:00:00"),
                         np.datetime64("2026-08-23T00:01:00"), horizon_s=30)
    secs = [str(t)[17:19] for t in slots.utc[:n]]
    assert secs == ["57", "12", "27", "42", "57"]  # 23:59:57 covers 00:00:00
    assert n == 5 and len(slots) == n + 3


def test_highest_elevation_equals_brute_force(setup):
    _sats, pts, slots, n_slots, r = setup
    sched = schedule(pts, r, slots, n_slots, strategy="highest_elevation")
    for k in range(n_slots):
        el0, el1 = _elevation_deg(pts, r[k]), _elevation_deg(pts, r[k + 1])
        for i in range(len(pts)):
            whole = np.flatnonzero((el0[i] >= MASK_DEG) & (el1[i] >= MASK_DEG))
            assert whole.size > 0
            expected = whole[np.argmax(el0[i, whole])]
            assert sched.serving[k, i] == expected
            assert sched.elevation_deg[k, i] == pytest.approx(el0[i, expected], abs=1e-6)


def test_longest_visible_picks_the_latest_setting_satellite(setup):
    sats, pts, slots, _n_slots, _ = setup
    sub, n = slots[:6 + 41], 6  # six slots and the ten-minute look-ahead
    r = sats.propagate(sub).r_ecef_km
    sched = schedule(pts, r, sub, n, strategy="longest_visible")
    for k in range(n):
        fine = TimeGrid.range(sub.utc[k], "600s", "1s")
        el = np.stack([_elevation_deg(pts, x) for x in sats.propagate(fine).r_ecef_km])
        for i in range(len(pts)):
            above = el[:, i, :] >= MASK_DEG
            cand = np.flatnonzero(above[0] & above[15])
            # Seconds until each candidate first drops below the mask (1 s resolution).
            setting = np.array([np.argmin(above[:, s]) if not above[:, s].all() else 600
                                for s in cand])
            chosen = sched.serving[k, i]
            assert chosen in cand
            assert setting[list(cand).index(chosen)] >= setting.max() - 2
            assert sched.remaining_s[k, i] == pytest.approx(setting.max(), abs=2.0)


def test_a_custom_strategy_and_handover_counts(setup):
    _sats, pts, slots, n_slots, r = setup

    def lowest(c: Candidates) -> np.ndarray:
        out = np.full(c.indptr.size - 1, -1)
        for i in range(out.size):
            lo, hi = c.indptr[i], c.indptr[i + 1]
            if hi > lo:
                out[i] = lo + np.argmin(c.elevation_deg[lo:hi])
        return out

    sched = schedule(pts, r, slots, n_slots, strategy=lowest)
    assert sched.strategy == "lowest"
    for k in range(n_slots):
        el0, el1 = _elevation_deg(pts, r[k]), _elevation_deg(pts, r[k + 1])
        whole = np.flatnonzero((el0[0] >= MASK_DEG) & (el1[0] >= MASK_DEG))
        assert sched.serving[k, 0] == whole[np.argmin(el0[0, whole])]
    changes = int(np.sum(sched.serving[1:, 0] != sched.serving[:-1, 0]))
    _slot_k, term, before, after = sched.handovers
    assert np.sum(term == 0) == changes == sched.handover_counts()[0]
    assert np.all(before != after)
    hours = (n_slots - 1) * 15 / 3600
    assert sched.handovers_per_hour()[0] == pytest.approx(changes / hours)
    assert np.array_equal(sched.serving_at(sched.slot_start + np.timedelta64(3, "s")),
                          sched.serving)


def test_eligibility_and_bad_strategies(setup):
    sats, pts, slots, n_slots, r = setup
    none = np.zeros(len(sats), bool)
    sched = schedule(pts, r, slots, n_slots, eligible=none)
    assert np.all(sched.serving == -1) and np.all(sched.in_view)
    with pytest.raises(InputError, match="unknown serving-satellite strategy"):
        schedule(pts, r, slots, n_slots, strategy="nearest")
    with pytest.raises(InputError, match="one candidate index"):
        schedule(pts, r, slots, n_slots, strategy=lambda c: np.zeros(5, int))
    assert longest_visible.__name__ == "longest_visible"
