"""Reading the 10,744-object Starlink snapshot (checked column by column) against a bare
`Satrec.twoline2rv` loop over the same lines, in the same process."""

from __future__ import annotations

import sys

from _common import STARLINK_TLE, best_of, machine
from sgp4.api import WGS72, Satrec

from leonet.physics.orbits import parse_tle, read_tle


def main() -> None:
    if not STARLINK_TLE.exists():
        print(f"skipped: {STARLINK_TLE} is absent (see ../shared/data/README.md)")
        return
    text = STARLINK_TLE.read_text()
    lines = text.split("\n")

    def bare() -> list:
        return [Satrec.twoline2rv(lines[i + 1], lines[i + 2], WGS72)
                for i in range(0, len(lines) - 2, 3)]

    b = p = r = float("inf")
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):  # interleaved runs
        b = min(b, best_of(bare, 3))
        p = min(p, best_of(lambda: parse_tle(text, source=str(STARLINK_TLE)), 3))
        r = min(r, best_of(lambda: read_tle(STARLINK_TLE), 3))
    print(f"{len(read_tle(STARLINK_TLE).records):,} records; {machine()}")
    print(f"bare twoline2rv loop: {b * 1e3:6.1f} ms")
    print(f"parse_tle (checked):  {p * 1e3:6.1f} ms  ratio {p / b:.2f}")
    print(f"read_tle (with I/O):  {r * 1e3:6.1f} ms  ratio {r / b:.2f}  (target: well under 1 s)")


if __name__ == "__main__":
    main()
