"""One colour per category, the same in every figure of a report and in the dashboard.

A category is a name: a decision (``allowed``), a deciding rule (``crimea-not-activated``,
``default``, ``suspended``), an availability class (``not covered``), an incident kind. Names
with a meaning of their own have fixed colours (allowed is green, suspended black, no policy
light grey); every other name gets a slot of a 20-colour qualitative palette chosen by a hash
of the name, moving to the next free slot on a collision. `palette_for` therefore gives the
same name the same colour in every panel that is drawn from the same set of names, and the
same colour across reports for most names (a collision moves only the later name).

>>> colours = palette_for(["ua-speed-cutoff", "allowed", "default", "crimea-not-activated"])
>>> colours["allowed"], colours["default"]
('#2ca02c', '#7f7f7f')
>>> len(set(colours.values())) == len(colours)
True
>>> fewer = palette_for(["crimea-not-activated", "allowed"])
>>> fewer["crimea-not-activated"] == colours["crimea-not-activated"]
True
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

# Names whose colour carries meaning, shared by maps, charts and the dashboard's legend.
FIXED: dict[str, str] = {
    "allowed": "#2ca02c",             # green: served
    "available": "#2ca02c",           # availability classes (physics.capacity.CLASSES)
    "limited": "#ff7f0e",
    "not activated": "#7f7f7f",
    "not covered": "#d62728",
    "default": "#7f7f7f",             # the policy's default answer: neutral grey
    "suspended": "#000000",           # suspended by enforcement: black
    "no-policy-in-force": "#c7c7c7",  # before the first policy: light grey
}

# Qualitative colours for the other names: matplotlib's tab20 without its greens and greys,
# which the fixed names use, so a rule never looks like "allowed" or "default".
QUALITATIVE: tuple[str, ...] = (
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#d62728", "#ff9896", "#9467bd", "#c5b0d5",
    "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
    "#393b79", "#843c39",
)


def palette_for(names: Iterable[str]) -> dict[str, str]:
    """``{name: "#rrggbb"}`` for every distinct name, fixed names first; the others take
    their hashed slot of `QUALITATIVE` (CRC-32 of the UTF-8 name) or the next free one. With
    more names than slots, colours repeat in the same order."""
    distinct = {str(n) for n in names}
    out: dict[str, str] = {}
    taken: set[int] = set()
    others = sorted(distinct - FIXED.keys())
    for name in sorted(distinct & FIXED.keys()):
        out[name] = FIXED[name]
    for name in others:
        slot = zlib.crc32(name.encode("utf-8")) % len(QUALITATIVE)
        if len(taken) < len(QUALITATIVE):
            while slot in taken:
                slot = (slot + 1) % len(QUALITATIVE)
            taken.add(slot)
        out[name] = QUALITATIVE[slot]
    return out


def colour_of(name: str, palette: dict[str, str] | None = None) -> str:
    """The colour of one name: from ``palette`` when given (a report's `palette_for`), else
    its fixed colour or its hashed slot."""
    if palette is not None and name in palette:
        return palette[name]
    return palette_for([name])[name]
