"""Plain words for evidence: places, times, durations, speeds."""

from __future__ import annotations

from leonet.physics.timegrid import NS_PER_S, iso_utc


def iso(ns) -> str:
    """To the second, or to the millisecond when the instant has a fraction."""
    return iso_utc(ns, "s" if int(ns) % NS_PER_S == 0 else "ms")


def place(lat_deg: float, lon_deg: float) -> str:
    return (f"{abs(lat_deg):.4f}°{'N' if lat_deg >= 0 else 'S'} "
            f"{abs(lon_deg):.4f}°{'E' if lon_deg >= 0 else 'W'}")


def duration(seconds: float) -> str:
    s = float(seconds)
    if s < 90:
        return f"{s:.0f} s"
    if s < 90 * 60:
        return f"{s / 60:.0f} min"
    if s < 48 * 3600:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def km(value: float) -> str:
    return f"{value:,.0f} km" if value >= 10 else f"{value:,.1f} km"


def count(n: int, word: str) -> str:
    plural = word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")
    return f"{n:,} {word if n == 1 else plural}"
