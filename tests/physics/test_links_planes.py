"""Laser topologies and plane detection against the Hypatia reference files and the real
Starlink snapshot (../shared/data, README there)."""

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.links import PlaneAssignment, parse_isls, plus_grid
from leonet.physics.orbits import read_tle
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.planes import detect_planes
from tests.conftest import shared_file


def _pairs(a, b) -> set[tuple[int, int]]:
    return {(min(x, y), max(x, y)) for x, y in zip(np.asarray(a).tolist(),
                                                   np.asarray(b).tolist(), strict=True)}


def _hypatia_constellation() -> Constellation:
    path = shared_file("hypatia-starlink550/tles.txt")
    text = path.read_text().split("\n", 1)[1]
    from leonet.physics.orbits import parse_tle

    return Constellation.from_element_set(parse_tle(text))


def test_plus_grid_reproduces_hypatias_isls_file():
    """Hypatia numbers satellite j of orbit i as 22 i + j; +Grid with shift 0 on that
    numbering gives exactly the 3,168 links of its isls.txt."""
    text = shared_file("hypatia-starlink550/isls.txt").read_text()
    ref = parse_isls(text, 1584)
    ids = np.arange(1584)
    planes = PlaneAssignment(np.zeros(1584, np.int64), ids // 22, ids % 22, (True,))
    ours = plus_grid(planes, isl_shift=0)
    assert _pairs(ours.a, ours.b) == _pairs(ref.a, ref.b)
    assert np.all(ours.degree() == 4)


def test_detect_planes_recovers_hypatias_orbits():
    sats = _hypatia_constellation()
    planes = detect_planes(sats, at="2000-01-01T00:00:00Z")
    ids = np.arange(1584)
    assert planes.unassigned.size == 0
    assert planes.wrap == (True,)
    assert np.array_equal(planes.plane, ids // 22)  # RAAN of orbit i is 5 i degrees
    # Mean anomaly grows with j: slots follow j around the ring (the first is arbitrary).
    shift = np.mod(planes.slot - ids % 22, 22).reshape(72, 22)
    assert np.all(shift == shift[:, :1])


@pytest.fixture(scope="module")
def starlink():
    return Constellation.from_element_set(
        read_tle(shared_file("starlink-2026-08-22.tle"))).filter(alt_km=(400, None))


def test_detect_planes_on_the_real_snapshot(starlink):
    planes = detect_planes(starlink)
    assigned = planes.plane >= 0
    assert assigned.mean() > 0.85
    # Unassigned satellites are reported with a reason.
    assert all(planes.reasons[i] for i in planes.unassigned)
    for s in range(len(planes.wrap)):
        for p in range(int(planes.n_planes[s])):
            members = np.flatnonzero((planes.shell == s) & (planes.plane == p))
            order = members[np.argsort(planes.slot[members])]
            u = planes.u_deg[order]
            assert np.all(np.diff(u) > 0)  # slots follow the argument of latitude
            raan = planes.raan_deg[members]
            spread = np.ptp(np.mod(raan - raan[0] + 180.0, 360.0))
            assert spread < 3.0  # one plane: nodes within a few degrees
            inc = starlink.inclination_deg[members]
            assert np.ptp(inc) < 0.3
    isl = plus_grid(planes)
    assert isl.degree().max() <= 4
    assert np.mean(isl.degree()[assigned] >= 3) > 0.8
    # Cross-plane links join neighbouring planes of one shell only.
    cross = isl.cross_plane
    a, b = isl.a[cross], isl.b[cross]
    assert np.all(planes.shell[a] == planes.shell[b])
    n_pl = planes.n_planes[planes.shell[a]]
    gap = np.mod(planes.plane[b] - planes.plane[a], n_pl)
    assert np.all((gap == 1) | (gap == n_pl - 1))


@pytest.mark.parametrize("text,message", [
    ("0 1\n1 2\n1 1584\n2 2000\n", "do not exist"),
    ("0 1\n1\n", "expected two satellite ids"),
    ("0 x\n", "must be integers"),
    ("0 1\n1 0\n", "duplicate link"),
    ("3 3\n", "to itself"),
])
def test_isls_file_errors(text, message):
    with pytest.raises(InputError, match=message) as exc:
        parse_isls(text, 1584, where="isls.txt")
    if message == "do not exist":
        assert "1584 (line 3)" in str(exc.value) and "2000 (line 4)" in str(exc.value)


def test_plus_grid_needs_planes_for_a_tle_set():
    sats = _hypatia_constellation()
    with pytest.raises(InputError, match="detect them"):
        PlaneAssignment.from_walker(sats)
