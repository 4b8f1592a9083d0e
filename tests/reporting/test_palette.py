"""The shared palette: fixed meanings, distinct colours, stable across figures."""

from __future__ import annotations

from leonet.physics.capacity import CLASSES
from leonet.reporting.palette import FIXED, QUALITATIVE, colour_of, palette_for


def test_fixed_meanings() -> None:
    pal = palette_for(["allowed", "suspended", "default", "no-policy-in-force", *CLASSES])
    assert pal["allowed"] == pal["available"] == "#2ca02c"  # served is green everywhere
    assert pal["suspended"] == "#000000"
    assert set(CLASSES) <= FIXED.keys()  # every availability class has its colour


def test_rules_get_distinct_colours_unlike_the_fixed_ones() -> None:
    rules = [f"rule-{k}" for k in range(len(QUALITATIVE))]
    pal = palette_for([*rules, "allowed", "default"])
    colours = [pal[r] for r in rules]
    assert len(set(colours)) == len(rules)
    assert not set(colours) & {FIXED["allowed"], FIXED["default"], FIXED["suspended"]}


def test_same_name_same_colour_in_every_panel() -> None:
    # Each panel of a report is drawn from the report's own palette: one colour per name,
    # whatever subset of names a panel shows.
    every = ["ua-activated", "crimea-not-activated", "ua-speed-cutoff", "suspended", "default"]
    pal = palette_for(every)
    for name in every:
        assert colour_of(name, pal) == pal[name]
    assert palette_for(every) == pal  # the order names come in does not matter
    assert palette_for(reversed(every)) == pal
