"""Forwarding state and path lengths of Hypatia's Kuiper-630 against Hypatia's own generator,
satgenpy (PyPI ``satgenpy``, the ``satgen`` extra), at several instants: an independent
implementation (PyEphem positions, networkx shortest paths) run on the same inputs.

satgenpy writes the Kuiper-630 set-up as its ``main_kuiper_630.py`` does (34 x 34
satellites, 51.9 deg, 14.80 rev/day, +Grid, a GSL range from a 30 deg elevation cone) with
the 100 most populous cities of ../shared/data/hypatia-starlink550 as ground stations;
leonet reads that folder (`read_hypatia_dir`) and routes it."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from tests.conftest import shared_file

satgen = pytest.importorskip("satgen", reason="satgenpy is absent: pip install -e "
                                              "'.[satgen]' (make test-packets installs it)")
pytestmark = pytest.mark.packets

from satgen.dynamic_state.generate_dynamic_state import generate_dynamic_state_at  # noqa: E402

from leonet.physics.earth import C_KM_S  # noqa: E402 - after the skip
from leonet.physics.hypatia import read_hypatia_dir  # noqa: E402

N_ORBITS = N_PER_ORBIT = 34
ALTITUDE_M = 630_000.0
EARTH_RADIUS_M = 6_378_135.0  # WGS72, as Hypatia's scripts
INSTANTS_NS = (0, 60_000_000_000, 150_000_000_000)
# satgenpy measures with PyEphem (its own Earth model and topocentric ranges): its README
# of the Starlink-550 reference (../shared/data) finds per-path differences up to 179 m
# against SGP4 + WGS72. Two paths whose lengths differ by less than this are a near-tie
# that either implementation may break its own way; both are shortest within the
# positions' accuracy.
TIE_M = 250.0


@pytest.fixture(scope="module")
def kuiper(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kuiper_630")
    satgen.generate_tles_from_scratch_manual(
        str(folder / "tles.txt"), "Kuiper-630", N_ORBITS, N_PER_ORBIT, True, 51.9, 0.0000001,
        0.0, 14.80)
    satgen.generate_plus_grid_isls(str(folder / "isls.txt"), N_ORBITS, N_PER_ORBIT, 0)
    shutil.copy(shared_file("hypatia-starlink550/ground_stations.txt"),
                folder / "ground_stations.txt")
    cone_m = ALTITUDE_M / math.tan(math.radians(30.0))
    max_gsl_m = math.sqrt(cone_m ** 2 + ALTITUDE_M ** 2)
    max_isl_m = 2 * math.sqrt((EARTH_RADIUS_M + ALTITUDE_M) ** 2
                              - (EARTH_RADIUS_M + 80_000) ** 2)
    (folder / "description.txt").write_text(
        f"max_gsl_length_m={max_gsl_m!r}\nmax_isl_length_m={max_isl_m!r}\n", encoding="utf-8")
    n_sats = N_ORBITS * N_PER_ORBIT
    satgen.generate_simple_gsl_interfaces_info(str(folder / "gsl_interfaces_info.txt"),
                                               n_sats, 100, 1, 1, 1, 1)
    tles = satgen.read_tles(str(folder / "tles.txt"))
    stations = satgen.read_ground_stations_extended(str(folder / "ground_stations.txt"))
    isls = satgen.read_isls(str(folder / "isls.txt"), n_sats)
    interfaces = satgen.read_gsl_interfaces_info(str(folder / "gsl_interfaces_info.txt"),
                                                 n_sats, 100)
    fstates = {}
    out = folder / "fstate"
    out.mkdir()
    for t_ns in INSTANTS_NS:
        state = generate_dynamic_state_at(
            str(out), tles["epoch"], t_ns, tles["satellites"], stations, isls, interfaces,
            max_gsl_m, max_isl_m, "algorithm_free_one_only_over_isls", None, False)
        # (node, destination) -> next hop, as get_path reads it from an fstate file.
        fstates[t_ns] = {key: hop[0] for key, hop in state["fstate"].items()}
    return folder, n_sats, fstates


def _length_km(path, r_sat_km, r_gs_km, n_sats) -> float:
    xyz = np.array([r_sat_km[v] if v < n_sats else r_gs_km[v - n_sats] for v in path])
    return float(np.linalg.norm(np.diff(xyz, axis=0), axis=1).sum())


def test_paths_and_lengths_equal_satgenpys_up_to_near_ties(kuiper):
    folder, n_sats, fstates = kuiper
    inputs = read_hypatia_dir(folder)
    r_gs = inputs.stations.r_ecef_km
    n_g = len(inputs.stations)
    for t_ns, fstate in fstates.items():
        grid = inputs.grid(t_ns / 1e9)
        r_sat = inputs.constellation.propagate(grid, ut1=False).r_ecef_km[0]
        routes = inputs.routes(r_sat)
        same = ties = 0
        for s in range(n_g):
            for d in range(n_g):
                if s == d:
                    continue
                theirs = satgen.get_path(n_sats + s, n_sats + d, fstate)
                ours = [int(v) for v in routes.path(s, d)]
                # Both find a path for every pair at these instants.
                assert theirs is not None and ours, (t_ns, s, d)
                ours_km = _length_km(ours, r_sat, r_gs, n_sats)
                assert ours_km == pytest.approx(float(routes.length_km[s, d]), abs=1e-6)
                if ours == theirs:
                    same += 1
                    continue
                # A different path must be as short (geometry of one implementation).
                gap_m = (_length_km(theirs, r_sat, r_gs, n_sats) - ours_km) * 1e3
                assert abs(gap_m) < TIE_M, (t_ns, s, d, ours, theirs, gap_m)
                ties += 1
        # Near-ties are rare: the node sequences agree for >= 99% of the 9,900 pairs.
        assert same >= 0.99 * (same + ties), (t_ns, same, ties)


def test_path_lengths_equal_satgenpys_measure(kuiper):
    # satgenpy's own length of its path (PyEphem positions at the instant) against leonet's
    # one-way delay, on every 97th pair: within TIE_M per path.
    folder, n_sats, fstates = kuiper
    inputs = read_hypatia_dir(folder)
    tles = satgen.read_tles(str(folder / "tles.txt"))
    stations = satgen.read_ground_stations_extended(str(folder / "ground_stations.txt"))
    isls = satgen.read_isls(str(folder / "isls.txt"), n_sats)
    n_g = len(inputs.stations)
    pairs = [(s, d) for s in range(n_g) for d in range(n_g) if s != d][::97]
    for t_ns, fstate in fstates.items():
        r_sat = inputs.constellation.propagate(inputs.grid(t_ns / 1e9), ut1=False).r_ecef_km[0]
        routes = inputs.routes(r_sat)
        for s, d in pairs:
            path = satgen.get_path(n_sats + s, n_sats + d, fstate)
            theirs_m = satgen.compute_path_length_without_graph(
                path, tles["epoch"], t_ns, tles["satellites"], stations, isls,
                inputs.max_gsl_length_km * 1e3, inputs.max_isl_length_km * 1e3)
            ours_ms = float(routes.one_way_ms[s, d])
            assert ours_ms == pytest.approx(theirs_m / 1e3 / C_KM_S * 1e3,
                                            abs=TIE_M / 1e3 / C_KM_S * 1e3), (t_ns, s, d)


def test_kuiper_built_in_memory_has_satgenpys_links_and_bounds(kuiper):
    # walker_inputs (the benchmark's Kuiper-630, no files) against the folder satgenpy wrote:
    # the same +Grid laser links and the same GSL and laser-link bounds.
    from leonet.physics.hypatia import walker_inputs
    from leonet.physics.orbits.shells import PRESETS

    folder, n_sats, _ = kuiper
    theirs = read_hypatia_dir(folder)
    ours = walker_inputs(PRESETS["kuiper"].shells[0], folder / "ground_stations.txt",
                         min_elevation_deg=30.0, epoch="2026-12-05T00:00:00Z")
    assert len(ours.constellation) == n_sats

    def pairs(isls):
        return {(min(a, b), max(a, b)) for a, b in zip(isls.a.tolist(), isls.b.tolist(),
                                                      strict=True)}

    assert pairs(ours.isls) == pairs(theirs.isls)
    assert ours.max_gsl_length_km == pytest.approx(theirs.max_gsl_length_km, abs=1e-9)
    assert ours.max_isl_length_km == pytest.approx(theirs.max_isl_length_km, abs=1e-9)
