"""What-if diffs over populations, and cell-granularity spill-over."""

import h3
import numpy as np
import pytest

from leonet.control.labels import region_labels
from leonet.control.policy import Policy
from leonet.control.policy.diff import diff_policies
from leonet.control.population import Population, read_points, synthesize_population
from leonet.control.regions import resolve_region
from leonet.control.spillover import spillover
from leonet.errors import InputError

A = 'version = "a"\ndefault = "deny"\n[[rules]]\nid = "ua"\neffect = "allow"\nregions = ["UA"]\n'
B = A.replace('"a"', '"b"') + '[[rules]]\nid = "crimea"\neffect = "deny"\nregions = ["crimea"]\n'\
    '[[rules]]\nid = "pl"\neffect = "allow"\nregions = ["PL"]\n'


def population(lat, lon):
    n = len(lat)
    return Population(terminal_id=np.array([f"t{i}" for i in range(n)], dtype=object),
                      time=np.full(n, np.datetime64("2026-03-01T00:00", "ns")),
                      lat_deg=np.array(lat), lon_deg=np.array(lon), alt_m=np.zeros(n),
                      speed_kmh=np.zeros(n))


def test_diff_by_region_and_reason():
    # Kyiv, Simferopol, Sevastopol, Warsaw, Krakow, Minsk.
    pop = population([50.45, 44.95, 44.61, 52.23, 50.06, 53.90],
                     [30.52, 34.10, 33.52, 21.01, 19.94, 27.56])
    d = diff_policies(Policy.from_text(A), Policy.from_text(B), pop)
    assert d.region.tolist() == ["UA", "crimea", "crimea", "PL", "PL", "BY"]
    assert d.gained.tolist() == [False, False, False, True, True, False]
    assert d.lost.tolist() == [False, True, True, False, False, False]
    assert d.losses == [("crimea", "ua", "crimea", 2)]
    assert d.gains == [("PL", "default", "pl", 2)]
    assert d.by_region() == [("PL", 2, 0, 2, 2), ("crimea", 2, 2, 0, -2)]
    doc = d.to_dict()
    assert (doc["gained"], doc["lost"], doc["losses"][0]["rule_after"]) == (2, 2, "crimea")


def test_synthetic_population_is_seeded_and_realistic():
    a = synthesize_population(20_000, seed=3)
    b = synthesize_population(20_000, seed=3)
    assert np.array_equal(a.lat_deg, b.lat_deg)
    labels = region_labels(a.lat_deg, a.lon_deg)
    # Terminals follow city populations: most land in the country of their city.
    assert (labels == a.home_country).mean() > 0.85
    ua = synthesize_population(5_000, seed=1, countries=["UA"])
    assert set(ua.home_country.tolist()) == {"UA"}


def test_synthetic_home_countries_are_codes_the_engine_knows():
    """Cities in overseas departments and territories (Réunion, Guadeloupe, Svalbard, ...)
    have ISO codes the boundary edition folds into their sovereign: the synthetic terminals
    there get the sovereign as home country, so every policy can decide them."""
    from leonet.control.boundaries import countries

    pop = synthesize_population(100_000, seed=0)
    known = {str(c) for c in countries().code}
    homes = set(pop.home_country.tolist())
    assert homes <= known | {None}
    assert "FR" in homes and not homes & {"RE", "GP", "MQ", "GF", "YT"}
    # Hand-checked: Saint-Denis (Réunion) and Pointe-à-Pitre (Guadeloupe) lie in FR's feature.
    assert resolve_region("FR").contains(-20.88, 55.45)
    assert resolve_region("FR").contains(16.24, -61.53)
    policy = Policy.from_text(A + '[[rules]]\nid = "fr"\neffect = "allow"\n'
                              'home_countries = ["FR"]\n')
    d = policy.decide(lat_deg=pop.lat_deg, lon_deg=pop.lon_deg, time=pop.time,
                      home_country=pop.home_country)
    reunion = (np.abs(pop.lat_deg + 21.1) < 0.5) & (np.abs(pop.lon_deg - 55.5) < 0.5)
    assert reunion.any() and set(d.rule[reunion].tolist()) == {"fr"}


def test_read_points_errors(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("terminal_id,time,lat_deg,lon_deg,alt_m\nx,2026-01-01T00:00Z,1,2,0\n")
    with pytest.raises(InputError, match=r"missing column.*speed_kmh"):
        read_points(p)
    p.write_text("terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh,whitelisted\n"
                 "x,2026-01-01T00:00Z,1,2,0,0,maybe\n")
    with pytest.raises(InputError, match="column whitelisted, row 2"):
        read_points(p)


def test_spillover_of_an_enclave_goes_only_to_its_host():
    rep = spillover(resolve_region("LS"), 6)
    assert set(rep.by_neighbour_km2) == {"ZA"}
    # Border cells are split between the two sides: their areas add up (H3's own cell areas).
    cells_km2 = sum(h3.cell_area(c, unit="km^2") for c in rep.border_cell_ids)
    assert rep.spill_km2 + rep.dark_km2 == pytest.approx(cells_km2, rel=0.01)
    assert rep.region_km2 == pytest.approx(30_355, rel=0.02)  # Lesotho: 30,355 km² (CIA WFB)


def test_diff_summary_names_the_rules_behind_a_kept_decision():
    renamed = A.replace('"a"', '"c"').replace('id = "ua"', 'id = "ua-activated"')
    pop = population([50.45, 49.84, 53.90], [30.52, 24.03, 27.56])  # Kyiv, Lviv, Minsk
    d = diff_policies(Policy.from_text(A), Policy.from_text(renamed), pop)
    assert d.rule_changes() == [("ua", "ua-activated", 2)]
    assert d.summary() == ("3 terminals: 2 allowed under a, 2 under c; 0 gain service, 0 lose "
                           "it, 2 keep their decision under another rule (ua → ua-activated: "
                           "2).")
