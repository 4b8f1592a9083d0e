"""What the sky does: numpy/scipy/numba computations with no global state — orbits
(`orbits`), Earth frames and time (`earth`, `timegrid`), ground sites, links, routing,
scheduling, coverage and capacity. Compute functions take arrays and return arrays or frozen
dataclasses; the only file I/O is reading the physics' own input formats (TLE and OMM
elements, site tables in `ground_segment`, Hypatia's input folders in `hypatia`), the
shipped city table and ITU-R P.1511's terrain and geoid maps (`terrain`), and nothing writes
files. May import `leonet.errors` and `leonet.data`,
nothing else of leonet.
"""
