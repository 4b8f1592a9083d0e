"""A set of satellites as SGP4 records plus their elements as arrays.

Every source becomes `sgp4.api.Satrec` records: TLE and OMM files as read, presets and Walker
shells through ``sgp4init`` with synthetic elements. Propagation then takes one path for all.

>>> gen1 = Constellation.load("starlink-gen1")
>>> len(gen1), int(gen1.shell_index.max()) + 1
(4408, 5)
>>> lower = gen1.filter(alt_km=(None, 545))
>>> len(lower)
1584
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from leonet.errors import InputError
from leonet.notebook.display import html_columns, to_arrow, to_pandas
from leonet.physics.earth import WGS84_A_KM
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.orbits.celestrak import PREFIX, data_dir, resolve_fetched
from leonet.physics.orbits.omm import read_elements
from leonet.physics.orbits.propagate import iter_propagate, propagate
from leonet.physics.orbits.shells import PRESETS, Preset, Shell, shell_satrecs
from leonet.physics.timegrid import NS_PER_DAY, TimeGrid, parse_utc

# Presets need an epoch; a fixed default keeps runs reproducible (drag-free, so any epoch
# near the study period is as good as another).
DEFAULT_PRESET_EPOCH = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class ShellSummary:
    inclination_deg: float
    altitude_km: float
    n_sats: int
    name: str = ""
    altitude_min_km: float = float("nan")
    altitude_max_km: float = float("nan")


@dataclass(frozen=True)
class ConstellationSummary:
    """Satellites per shell (filed or detected), and the spread of element epochs."""

    n_sats: int
    shells: tuple[ShellSummary, ...]
    n_unassigned: int
    epoch_min: np.datetime64
    epoch_median: np.datetime64
    epoch_max: np.datetime64
    source: str

    @property
    def epoch_spread_days(self) -> float:
        return float((self.epoch_max - self.epoch_min) / np.timedelta64(1, "s")) / 86400.0


@dataclass(frozen=True, eq=False)
class Constellation:
    """Satellites as SGP4 records, with arrays describing them, all of shape ``(n_sats,)``.

    ``norad_id`` is the catalogue number (for presets, the 1-based index). ``shell_index``,
    ``plane`` and ``slot`` are known for presets and Walker shells (else -1); for TLE sets,
    `summary` detects shells from inclination and altitude.
    """

    satrecs: tuple[Satrec, ...]
    names: np.ndarray
    norad_id: np.ndarray
    source: str = ""
    shells: tuple[Shell, ...] = ()
    shell_index: np.ndarray = field(default=None)  # type: ignore[assignment]
    plane: np.ndarray = field(default=None)  # type: ignore[assignment]
    slot: np.ndarray = field(default=None)  # type: ignore[assignment]
    where: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.satrecs)
        minus = np.full(n, -1, dtype=np.int64)
        for name in ("shell_index", "plane", "slot"):
            value = getattr(self, name)
            object.__setattr__(self, name, minus.copy() if value is None
                               else np.asarray(value, dtype=np.int64))
        if self.where is None:
            object.__setattr__(self, "where", np.full(n, "", dtype=object))
        names = np.asarray(self.names, dtype=object)
        ids = np.asarray(self.norad_id, dtype=np.int64)
        if names.shape != (n,) or ids.shape != (n,):
            raise InputError(f"{n} satellites but {names.shape} names and {ids.shape} ids")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "norad_id", ids)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def load(cls, source: str | Path, *, epoch: str | None = None,
             skip_invalid: bool = False) -> Constellation:
        """A preset name (``starlink-gen1``, ``starlink-gen2a``, ``kuiper``, ``oneweb``), a
        TLE / OMM (JSON, CSV) file path, or a group fetched from CelesTrak (``starlink``, or
        ``celestrak:oneweb`` for a group named like a preset; `leonet.physics.orbits.celestrak`).
        """
        text = str(source)
        if text in PRESETS:
            return cls.from_preset(text, epoch=epoch)
        path = Path(text)
        if not path.exists():
            fetched = resolve_fetched(text)
            if fetched is not None:
                path = fetched
            elif text.startswith(PREFIX):
                raise InputError(f"{text!r} was never fetched into {data_dir()}; run leonet "
                                 f"data fetch {text.removeprefix(PREFIX)}")
            else:
                hint = ", ".join(sorted(PRESETS))
                raise InputError(f"no such file or preset {text!r}, nor a fetched group; "
                                 f"presets are: {hint} (current elements: leonet data fetch "
                                 f"starlink)")
        if path.is_dir():
            raise InputError(f"{text!r} is a folder; give a TLE or OMM file or a preset")
        return cls.from_element_set(read_elements(path, skip_invalid=skip_invalid))

    @classmethod
    def from_element_set(cls, elements) -> Constellation:
        """Satellites of a parsed TLE/OMM `ElementSet` (skipped records stay reported there)."""
        recs = elements.records
        if not recs:
            raise InputError("no valid element sets", str(elements.source))
        c = cls(
            satrecs=tuple(r.satrec for r in recs),
            names=np.array([r.name for r in recs], dtype=object),
            norad_id=np.array([r.norad_id for r in recs], dtype=np.int64),
            source=str(elements.source),
            where=np.array([r.where for r in recs], dtype=object),
        )
        object.__setattr__(c, "skipped", tuple(elements.skipped))
        return c

    @classmethod
    def from_preset(cls, name: str, *, epoch: str | None = None) -> Constellation:
        """A constellation built from its public filing (see `leonet.physics.orbits.shells`)."""
        if name not in PRESETS:
            raise InputError(f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}")
        preset: Preset = PRESETS[name]
        return cls.walker(preset.shells, epoch=epoch, source=f"{name}: {preset.source}")

    @classmethod
    def walker(cls, shells: Shell | Sequence[Shell], *, epoch: str | None = None,
               source: str = "custom Walker shells") -> Constellation:
        """Satellites of one or more Walker shells, all with elements at ``epoch``."""
        shells = (shells,) if isinstance(shells, Shell) else tuple(shells)
        if not shells:
            raise InputError("at least one shell is needed")
        t = TimeGrid.at(parse_utc(epoch or DEFAULT_PRESET_EPOCH, what="epoch"))
        epoch_jd = float(t.jd[0] + t.fr[0])
        satrecs: list[Satrec] = []
        shell_idx, plane, slot, names = [], [], [], []
        for k, shell in enumerate(shells):
            satrecs += shell_satrecs(shell, epoch_jd, first_satnum=len(satrecs) + 1)
            shell_idx.append(np.full(shell.n_sats, k))
            plane.append(np.repeat(np.arange(shell.planes), shell.sats_per_plane))
            slot.append(np.tile(np.arange(shell.sats_per_plane), shell.planes))
            label = shell.name or f"shell{k}"
            names += [f"{label}-p{p:02d}s{s:02d}"
                      for p, s in zip(plane[-1], slot[-1], strict=True)]
        return cls(tuple(satrecs), np.array(names, dtype=object),
                   np.arange(1, len(satrecs) + 1), source, shells,
                   np.concatenate(shell_idx), np.concatenate(plane), np.concatenate(slot))

    # -- arrays of elements -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self.satrecs)

    @property
    def n_sats(self) -> int:
        return len(self.satrecs)

    def _attr(self, name: str) -> np.ndarray:
        return np.array([getattr(s, name) for s in self.satrecs], dtype=np.float64)

    @cached_property
    def epoch(self) -> np.ndarray:
        """Element epochs as UTC ``datetime64[ns]``."""
        whole = self._attr("jdsatepoch") - 2440587.5
        frac = self._attr("jdsatepochF")
        ns = np.round(whole * NS_PER_DAY).astype(np.int64) + np.round(
            frac * NS_PER_DAY).astype(np.int64)
        return ns.astype("datetime64[ns]")

    @cached_property
    def inclination_deg(self) -> np.ndarray:
        return np.rad2deg(self._attr("inclo"))

    @cached_property
    def raan_deg(self) -> np.ndarray:
        return np.rad2deg(self._attr("nodeo"))

    @cached_property
    def eccentricity(self) -> np.ndarray:
        return self._attr("ecco")

    @cached_property
    def arg_perigee_deg(self) -> np.ndarray:
        return np.rad2deg(self._attr("argpo"))

    @cached_property
    def mean_anomaly_deg(self) -> np.ndarray:
        return np.rad2deg(self._attr("mo"))

    @cached_property
    def mean_motion_rev_per_day(self) -> np.ndarray:
        return self._attr("no_kozai") * 1440.0 / (2.0 * np.pi)

    @cached_property
    def bstar(self) -> np.ndarray:
        return self._attr("bstar")

    @cached_property
    def semi_major_axis_km(self) -> np.ndarray:
        """Brouwer mean semi-major axis from SGP4's initialisation."""
        return self._attr("a") * self._attr("radiusearthkm")

    @cached_property
    def mean_radius_km(self) -> np.ndarray:
        """Geocentric radius averaged over an orbit, as SGP4 propagates it.

        SGP4's radius is ``a (1 - e cos E)`` (time average ``a (1 + e²/2)``) times its J2
        short-period factor ``1 - 3/4 J2 sqrt(1 - e²) (3 cos² i - 1) / p²`` (p the
        semi-latus rectum in Earth radii; the ``cos 2u`` term averages out): Hoots &
        Roehrich 1980, Spacetrack Report #3, as coded in Vallado et al. 2006 (AIAA
        2006-6753). At Starlink heights it is 0.4 km below ``a`` at 53° and 4.5 km above at
        97.6°.
        """
        a = self.semi_major_axis_km
        e = self.eccentricity
        j2 = self._attr("j2")
        p_er = a * (1.0 - e * e) / self._attr("radiusearthkm")
        cos_i = np.cos(np.deg2rad(self.inclination_deg))
        short_period = 1.0 - 0.75 * j2 * np.sqrt(1.0 - e * e) * (3.0 * cos_i**2 - 1.0) / p_er**2
        return a * (1.0 + 0.5 * e * e) * short_period

    @property
    def altitude_km(self) -> np.ndarray:
        """Mean altitude: SGP4's mean (Brouwer) semi-major axis minus the WGS84 equatorial
        radius. This is the operator's convention: in the 2026-08-22 Starlink snapshot the
        70° shell sits at 570.0 km and the 53.2° one at 540.0 km by it, as filed (FCC
        21-48), where the orbit-averaged radius (`mean_radius_km`) reads 573.1 and 539.6 km.
        Presets are built on the same convention, so a shell filed at 560 km reads 560 km."""
        return self.semi_major_axis_km - WGS84_A_KM

    @property
    def perigee_alt_km(self) -> np.ndarray:
        return self.semi_major_axis_km * (1.0 - self.eccentricity) - WGS84_A_KM

    @property
    def apogee_alt_km(self) -> np.ndarray:
        return self.semi_major_axis_km * (1.0 + self.eccentricity) - WGS84_A_KM

    # -- selection --------------------------------------------------------------------
    def __getitem__(self, index) -> Constellation:
        idx = np.atleast_1d(np.arange(self.n_sats)[index])
        c = Constellation(
            tuple(self.satrecs[i] for i in idx), self.names[idx], self.norad_id[idx],
            self.source, self.shells, self.shell_index[idx], self.plane[idx], self.slot[idx],
            self.where[idx],
        )
        if "skipped" in self.__dict__:
            object.__setattr__(c, "skipped", self.__dict__["skipped"])
        return c

    def filter(
        self,
        *,
        name: str | None = None,
        norad_ids: Iterable[int] | None = None,
        alt_km: tuple[float | None, float | None] | None = None,
        inclination_deg: tuple[float | None, float | None] | None = None,
        dedupe: bool = False,
    ) -> Constellation:
        """Satellites matching every given condition.

        ``name`` is a case-insensitive glob (``"STARLINK-*"``) or, prefixed with ``re:``, a
        regular expression. Bands are ``(low, high)`` inclusive, ``None`` for open ends.
        ``dedupe`` keeps the newest epoch per NORAD id.
        """
        keep = np.ones(self.n_sats, dtype=bool)
        if name is not None:
            if name.startswith("re:"):
                try:
                    rx = re.compile(name[3:], re.IGNORECASE)
                except re.error as exc:
                    raise InputError(f"bad name pattern {name!r}: {exc}") from None
            else:
                rx = re.compile(fnmatch.translate(name), re.IGNORECASE)
            keep &= np.array([bool(rx.match(str(n))) for n in self.names], dtype=bool)
        if norad_ids is not None:
            keep &= np.isin(self.norad_id, np.fromiter(norad_ids, dtype=np.int64))
        for band, values, what in ((alt_km, self.altitude_km, "altitude"),
                                   (inclination_deg, self.inclination_deg, "inclination")):
            if band is None:
                continue
            lo, hi = band
            if lo is not None and hi is not None and lo > hi:
                raise InputError(f"{what} band is empty: low {lo} > high {hi}")
            if lo is not None:
                keep &= values >= lo
            if hi is not None:
                keep &= values <= hi
        out = self[np.flatnonzero(keep)]
        return out.dedupe() if dedupe else out

    def dedupe(self) -> Constellation:
        """One record per NORAD id: the one with the newest epoch (ties: the later record)."""
        order = np.lexsort((np.arange(self.n_sats), self.epoch.astype(np.int64), self.norad_id))
        ids = self.norad_id[order]
        last = np.ones(ids.shape, dtype=bool)
        last[:-1] = ids[1:] != ids[:-1]
        return self[np.sort(order[last])]

    # -- description ------------------------------------------------------------------
    def summary(self) -> ConstellationSummary:
        """Satellites per shell (filed shells for presets, else detected), epoch spread."""
        if self.shells:
            counts = np.bincount(self.shell_index[self.shell_index >= 0],
                                 minlength=len(self.shells))
            shells = tuple(ShellSummary(s.inclination_deg, s.altitude_km, int(c), s.name,
                                        s.altitude_km, s.altitude_km)
                           for s, c in zip(self.shells, counts, strict=True) if c)
            unassigned = int(np.sum(self.shell_index < 0))
        else:
            labels = detect_shells(self.inclination_deg, self.altitude_km)
            alt, inc = self.altitude_km, self.inclination_deg
            shells = tuple(
                ShellSummary(float(np.median(inc[labels == k])),
                             float(np.median(alt[labels == k])), int(np.sum(labels == k)), "",
                             float(alt[labels == k].min()), float(alt[labels == k].max()))
                for k in range(int(labels.max()) + 1)
            )
            unassigned = int(np.sum(labels < 0))
        ep = np.sort(self.epoch)
        return ConstellationSummary(self.n_sats, shells, unassigned, ep[0], ep[len(ep) // 2],
                                    ep[-1], self.source)

    def __repr__(self) -> str:
        return f"Constellation(n_sats={self.n_sats}, source={self.source[:60]!r})"

    # -- notebook --------------------------------------------------------------------
    def columns(self) -> dict[str, np.ndarray]:
        """One row per satellite: name, NORAD id, shell, plane and slot (-1: unknown)."""
        return {"name": self.names, "norad_id": self.norad_id,
                "shell_index": self.shell_index, "plane": self.plane, "slot": self.slot}

    def to_pandas(self):
        """`columns` as a pandas DataFrame."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`columns` as an Arrow table."""
        return to_arrow(self.columns())

    def _repr_html_(self) -> str:
        return html_columns(f"Constellation: {self.n_sats:,} satellites from {self.source}",
                            self.columns())

    # -- propagation ------------------------------------------------------------------
    def propagate(self, grid: TimeGrid, **kwargs) -> Ephemeris:
        """Earth-fixed positions and velocities over ``grid``; see `propagate.propagate`."""
        return propagate(self, grid, **kwargs)

    def iter_propagate(self, grid: TimeGrid, **kwargs) -> Iterator[Ephemeris]:
        """Time chunks of the ephemeris within a memory budget; see `iter_propagate`."""
        return iter_propagate(self, grid, **kwargs)


def detect_shells(inclination_deg: np.ndarray, altitude_km: np.ndarray, *,
                  inclination_gap_deg: float = 0.3, window_km: float = 2.0,
                  min_density: int = 10, min_sats: int = 20) -> np.ndarray:
    """Shell label per satellite (-1: fits no shell).

    Inclination groups are split at gaps wider than ``inclination_gap_deg``. Within a group,
    altitudes are clustered by density (a one-dimensional DBSCAN): a satellite with at least
    ``min_density`` others (and 1 % of its group) within ``window_km`` is a core; cores
    closer than ``window_km`` chain into one shell, and other satellites within
    ``window_km`` of a shell's cores join it. Sparse satellites (raising, lowering,
    alone) stay unassigned.
    """
    n = inclination_deg.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    order = np.argsort(inclination_deg, kind="stable")
    cuts = np.flatnonzero(np.diff(inclination_deg[order]) > inclination_gap_deg) + 1
    next_label = 0
    for group in np.split(order, cuts):
        g = group[np.argsort(altitude_km[group], kind="stable")]
        alt = altitude_km[g]
        density = (np.searchsorted(alt, alt + window_km, side="right")
                   - np.searchsorted(alt, alt - window_km, side="left") - 1)
        # In big groups a sprinkle of transiting satellites must not bridge two shells.
        core = np.flatnonzero(density >= max(min_density, 0.01 * g.size))
        if core.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(alt[core]) > window_km) + 1
        for run in np.split(core, breaks):
            lo, hi = alt[run[0]] - window_km, alt[run[-1]] + window_km
            members = g[(alt >= lo) & (alt <= hi)]
            members = members[labels[members] < 0]
            if members.size >= min_sats:
                labels[members] = next_label
                next_label += 1
    return labels
