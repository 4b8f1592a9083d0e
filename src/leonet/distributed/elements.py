"""SGP4 records across processes: a `Satrec` travels as its elements and is rebuilt by
``sgp4init`` on the worker, so each task propagates from the same elements as the caller.

python-sgp4's `Satrec` cannot be pickled; its C++ ``twoline2rv`` itself ends in ``sgp4init``
with the same arguments, so the rebuilt record's propagation is bit-identical (checked in
tests/distributed/test_elements.py against the original's positions).
"""

from __future__ import annotations

import copyreg

from sgp4.api import WGS72, Satrec

# python-sgp4's `sgp4init` takes the epoch in days since 1949 December 31 00:00 UT.
_EPOCH_1950_JD = 2433281.5

def _rebuild(opsmode, satnum, jd, jd_f, bstar, ndot, nddot, ecco, argpo, inclo, mo,
             no_kozai, nodeo) -> Satrec:
    sat = Satrec()
    # TLE, OMM and Walker records are all initialised with WGS-72 (Vallado et al. 2006).
    sat.sgp4init(WGS72, opsmode, satnum, (jd + jd_f) - _EPOCH_1950_JD, bstar, ndot, nddot,
                 ecco, argpo, inclo, mo, no_kozai, nodeo)
    # sgp4init splits the epoch itself; keep the caller's split so tsince is the same.
    sat.jdsatepoch, sat.jdsatepochF = jd, jd_f
    return sat


def _reduce(sat: Satrec):
    return _rebuild, (sat.operationmode, sat.satnum, sat.jdsatepoch, sat.jdsatepochF,
                      sat.bstar, sat.ndot,
                      sat.nddot, sat.ecco, sat.argpo, sat.inclo, sat.mo, sat.no_kozai,
                      sat.nodeo)


copyreg.pickle(Satrec, _reduce)
