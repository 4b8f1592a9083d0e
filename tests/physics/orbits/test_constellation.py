"""Constellation filters and summary against the facts of the real snapshot (counted in
../shared/data/README.md and re-read here from the raw TLE columns) and against Walker
shells whose sizes are known because the test builds them."""

from __future__ import annotations

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec
from sgp4.exporter import export_tle

from leonet.errors import InputError
from leonet.physics.orbits import parse_tle
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import Shell
from tests.conftest import shared_file
from tests.physics.orbits.synthetic import with_checksum

# Counts stated in ../shared/data/README.md for starlink-2026-08-22.tle.
README_N_OBJECTS = 10_744
README_BELOW_400_KM = 868
HUNDRED_METRES_KM = 0.1
README_INCLINATION_GROUPS = {43: 3622, 53: 5044, 70: 710, 97: 1331, 98: 37}
README_EPOCHS = ("2026-07-30T14:04", "2026-08-22T10:13", "2026-08-22T17:16")


@pytest.fixture(scope="module")
def snapshot():
    path = shared_file("starlink-2026-08-22.tle")
    lines = path.read_text().splitlines()
    raw = {
        "name": [lines[k].strip() for k in range(0, len(lines), 3)],
        "norad": np.array([int(lines[k + 1][2:7]) for k in range(0, len(lines), 3)]),
        "incl": np.array([float(lines[k + 2][8:16]) for k in range(0, len(lines), 3)]),
    }
    # Authorities, from python-sgp4 record by record: the mean semi-major axis its
    # initialisation derives (mean altitude = a - 6378.137 km), and the geocentric radius
    # averaged over one period propagated from each epoch.
    u = (np.arange(120) + 0.5) / 120
    mean_alt, mean_r = [], []
    for k in range(0, len(lines), 3):
        sat = Satrec.twoline2rv(lines[k + 1], lines[k + 2], WGS72)
        mean_alt.append(sat.a * sat.radiusearthkm - 6378.137)
        period_min = 2 * np.pi / sat.no_kozai
        _, r, _ = sat.sgp4_array(np.full(u.shape, sat.jdsatepoch),
                                 sat.jdsatepochF + u * period_min / 1440.0)
        mean_r.append(np.linalg.norm(r, axis=1).mean())
    raw["mean_alt_km"] = np.array(mean_alt)
    raw["mean_radius_km"] = np.array(mean_r)
    return Constellation.load(path), raw


def test_altitude_and_orbit_averaged_radius(snapshot):
    c, raw = snapshot
    assert np.abs(c.altitude_km - raw["mean_alt_km"]).max() < 1e-9
    err = np.abs(c.mean_radius_km - raw["mean_radius_km"])
    assert np.percentile(err, 99) < HUNDRED_METRES_KM
    # The rest decay or manoeuvre within the orbit the reference averages over.
    assert err.max() < 2.5


def test_altitude_band_drops_the_satellites_below_400_km(snapshot):
    c, raw = snapshot
    assert len(c) == README_N_OBJECTS
    low = c.filter(alt_km=(None, 400))
    high = c.filter(alt_km=(400, None))
    assert len(low) == README_BELOW_400_KM
    assert low.norad_id.tolist() == raw["norad"][raw["mean_alt_km"] < 400].tolist()
    assert len(high) == README_N_OBJECTS - README_BELOW_400_KM
    assert set(low.norad_id).isdisjoint(high.norad_id)


def test_inclination_band_counts_match_the_readme(snapshot):
    c, raw = snapshot
    for deg, count in README_INCLINATION_GROUPS.items():
        band = c.filter(inclination_deg=(deg - 0.5, deg + 0.5))
        assert len(band) == count, deg
        # ... and they are the satellites whose line-2 inclination column says so.
        want = raw["norad"][np.abs(raw["incl"] - deg) <= 0.5]
        assert band.norad_id.tolist() == want.tolist()


def test_name_patterns_and_norad_ids(snapshot):
    c, raw = snapshot
    names = raw["name"]
    glob = c.filter(name="starlink-1*")  # case-insensitive glob
    assert glob.names.tolist() == [n for n in names if n.startswith("STARLINK-1")]
    rx = c.filter(name=r"re:STARLINK-3\d{3}$")
    assert rx.names.tolist() == [n for n in names if n.startswith("STARLINK-3")
                                 and len(n) == len("STARLINK-3000") and n[-3:].isdigit()]
    assert 0 < len(rx) < len(glob)
    wanted = [int(raw["norad"][k]) for k in (5000, 17, 9000)]
    picked = c.filter(norad_ids=[*wanted, 1])  # 1 is not in the file: simply not found
    assert sorted(picked.norad_id.tolist()) == sorted(wanted)
    assert picked.names.tolist() == [names[k] for k in sorted((17, 5000, 9000))]
    both = c.filter(name="STARLINK-1*", alt_km=(400, None))
    assert set(both.norad_id) == set(glob.norad_id) - set(c.filter(
        alt_km=(None, 400)).norad_id)
    with pytest.raises(InputError, match="bad name pattern"):
        c.filter(name="re:[")
    with pytest.raises(InputError, match="band is empty"):
        c.filter(alt_km=(600, 500))


def test_summary_of_the_snapshot(snapshot):
    c, _ = snapshot
    s = c.summary()
    assert s.n_sats == README_N_OBJECTS
    assert sum(sh.n_sats for sh in s.shells) + s.n_unassigned == README_N_OBJECTS
    got = [np.datetime_as_string(t, unit="m") for t in (s.epoch_min, s.epoch_median,
                                                        s.epoch_max)]
    assert tuple(got) == README_EPOCHS
    by_group: dict[int, int] = {}
    for sh in s.shells:
        # Each detected shell is one inclination group and one narrow altitude band.
        by_group[round(sh.inclination_deg)] = by_group.get(round(sh.inclination_deg), 0) \
            + sh.n_sats
        assert sh.altitude_max_km - sh.altitude_min_km < 15.0
    assert set(by_group) == set(README_INCLINATION_GROUPS)
    for deg, n in by_group.items():
        assert n <= README_INCLINATION_GROUPS[deg]
    # Most satellites sit in shells; the raising/lowering ones are left out.
    assert s.n_unassigned < 0.1 * README_N_OBJECTS


def _as_tle_set(c: Constellation) -> Constellation:
    """The satellites of ``c`` written as TLE text and read back: no filed shells known."""
    lines = []
    for k, sat in enumerate(c.satrecs):
        l1, l2 = export_tle(sat)
        lines += [f"SAT-{k}", l1, l2]
    return Constellation.from_element_set(parse_tle("\n".join(lines)))


def test_summary_detects_known_shells_and_leaves_stragglers_out():
    shells = [Shell(550, 53.0, 24, 20), Shell(540, 53.0, 12, 20), Shell(570, 70.0, 10, 15),
              Shell(560, 97.6, 6, 10)]
    built = Constellation.walker(shells, epoch="2026-08-23T00:00:00Z")
    # Stragglers: the same planes lowered in 15 km steps, too sparse to be a shell.
    raising = Constellation.walker([Shell(350 + 15 * k, 53.0, 1, 1, phasing=0) for k in range(8)],
                                   epoch="2026-08-23T00:00:00Z")
    mixed = _as_tle_set(Constellation(built.satrecs + raising.satrecs,
                                      np.concatenate([built.names, raising.names]),
                                      np.arange(1, len(built) + len(raising) + 1)))
    s = mixed.summary()
    got = sorted((round(sh.inclination_deg, 1), round(sh.altitude_km), sh.n_sats)
                 for sh in s.shells)
    # Mean altitudes as built, at every inclination.
    assert got == [(53.0, 540, 240), (53.0, 550, 480), (70.0, 570, 150), (97.6, 560, 60)]
    assert s.n_unassigned == 8


def _record(line1: str, line2: str, epoch_field: str, name: str) -> list[str]:
    """A copy of a record with another epoch (columns 19-32), its checksum redone."""
    l1 = with_checksum(line1[:18] + epoch_field + line1[32:68])
    return [name, l1, line2]


def test_dedupe_keeps_the_newest_epoch_per_norad_id():
    l1 = "1 44714U 19074B   26234.17284867  .00077595  00000+0  89842-3 0  9997"
    l2 = "2 44714  53.1481 110.2629 0005172  75.9267 284.2321 15.61165912374481"
    m1 = "1 44718U 19074F   26234.61583504  .00083287  00000+0  94674-3 0  9994"
    m2 = "2 44718  53.1504 108.3906 0001607 127.2284 232.8877 15.61625202374541"
    text = "\n".join([
        *_record(l1, l2, "26234.17284867", "A-OLD"),
        *_record(m1, m2, "26230.00000000", "B-OLDEST"),
        *_record(l1, l2, "26235.50000000", "A-NEWEST"),  # newest of A, in the middle
        *_record(m1, m2, "26234.61583504", "B-NEWEST"),
        *_record(l1, l2, "26233.00000000", "A-OLDER"),
    ])
    c = Constellation.from_element_set(parse_tle(text))
    assert len(c) == 5
    d = c.dedupe()
    assert d.names.tolist() == ["A-NEWEST", "B-NEWEST"]  # file order of the kept records
    assert sorted(d.norad_id.tolist()) == [44714, 44718]
    newest = Satrec.twoline2rv(with_checksum(l1[:18] + "26235.50000000" + l1[32:68]), l2,
                               WGS72)
    assert d.satrecs[0].jdsatepoch + d.satrecs[0].jdsatepochF == pytest.approx(
        newest.jdsatepoch + newest.jdsatepochF, abs=1e-9)
    assert c.filter(name="A-*", dedupe=True).names.tolist() == ["A-NEWEST"]
