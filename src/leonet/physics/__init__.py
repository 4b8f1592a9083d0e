"""What the sky does: numpy/scipy/numba computations with no global state.

Compute functions take arrays and return arrays or frozen dataclasses. The only file I/O here
is reading the physics' own input formats — TLE and OMM elements (`orbits.tle`, `orbits.omm`),
site tables (`ground_segment`), Hypatia's input folders (`hypatia`) — and the shipped city
table; nothing writes files. May import `leonet.errors` and `leonet.data`, nothing else of
leonet.
"""
