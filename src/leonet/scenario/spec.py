"""Scenario files (TOML): what to replay, checked key by key.

A scenario combines a constellation, policy documents in force one after another, sponsors
paying for terminals, groups of synthetic terminals (placed, moving, verified), detection
windows with enforcement, and the coverage and latency to report for the affected areas.
Every table and key is documented in docs/scenarios.md; unknown keys are refused with a
suggestion, and every error names the file and the key path (``groups[2].mobility``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from leonet.control.detect.config import KINDS, DetectConfig
from leonet.control.fleet import ALWAYS, NEVER, GroupSpec, Placement, Sponsorship
from leonet.control.mobility import KINDS as MOBILITY_KINDS
from leonet.control.mobility import LANES, MobilityParams
from leonet.control.policy import Policy
from leonet.control.regions import resolve_region
from leonet.errors import InputError, close_names, did_you_mean, unknown_name
from leonet.physics.ground import place as ground_place
from leonet.physics.network import MODES
from leonet.physics.timegrid import parse_duration_s, parse_utc

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class PolicyStep:
    """A policy document in force from ``from_ns`` (until the next step)."""

    path: Path
    from_ns: int
    event: str
    policy: Policy  # the document, loaded and checked with the scenario
    source: str = ""
    # When the effect of the change is measured (terminals gaining and losing service, the
    # map): half a day after it comes into force unless the scenario says otherwise.
    snapshot_ns: int = 0


@dataclass(frozen=True)
class Window:
    name: str
    start_ns: int
    end_ns: int


@dataclass(frozen=True)
class DetectionSpec:
    report_every_s: float
    windows: tuple[Window, ...]
    kinds: tuple[str, ...] | None
    config: DetectConfig


@dataclass(frozen=True)
class EnforcementSpec:
    """Terminals with an incident of ``suspend_on`` (that began inside one of ``regions``,
    when given) are suspended ``after_s`` after the incident ends (the operator's review and
    approval), and get no service from then."""

    suspend_on: tuple[str, ...]
    after_s: float
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageSpec:
    regions: tuple[str, ...]
    resolution: int
    start_ns: int
    duration_s: float
    step_s: float
    min_elevation_deg: float


@dataclass(frozen=True)
class LatencySpec:
    places: tuple[str, ...]
    to: str  # "pop" or a place
    start_ns: int
    duration_s: float
    step_s: float
    modes: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file; `leonet.scenario.run_scenario` replays it."""

    path: Path
    name: str
    title: str
    description: str
    sources: tuple[str, ...]
    seed: int
    start_ns: int
    end_ns: int
    step_s: float
    constellation: str
    alt_km: tuple[float | None, float | None]
    min_elevation_deg: float
    policies: tuple[PolicyStep, ...]
    groups: tuple[GroupSpec, ...]
    sponsorships: tuple[Sponsorship, ...]
    sponsor_names: dict[str, str] = field(default_factory=dict)
    detection: DetectionSpec | None = None
    enforcement: EnforcementSpec | None = None
    coverage: CoverageSpec | None = None
    latency: LatencySpec | None = None

    @property
    def timeline_ns(self) -> np.ndarray:
        """Instants of the timeline: start, every step, and the end."""
        step = round(self.step_s * 1e9)
        out = np.arange(self.start_ns, self.end_ns, step, dtype=np.int64)
        return np.unique(np.concatenate([out, [self.end_ns]]))

    def digest(self) -> str:
        """SHA-256 of the scenario file and every policy file it uses."""
        h = hashlib.sha256(self.path.read_bytes())
        for step in self.policies:
            h.update(step.path.read_bytes())
        return h.hexdigest()


# -- reading --------------------------------------------------------------------------------

class _Table:
    """A TOML table being read: remembers its path and refuses keys nobody asked for."""

    def __init__(self, doc: Mapping, where: str, file: str) -> None:
        if not isinstance(doc, Mapping):
            raise InputError(f"expected a table, got {type(doc).__name__}", f"{file}: {where}")
        self.doc, self.where, self.file, self.seen = doc, where, file, set()

    def at(self, key: str = "") -> str:
        path = ".".join(p for p in (self.where, key) if p)
        return f"{self.file}: {path}" if path else self.file

    def get(self, key: str, kind, default=..., *, required: bool = False):
        self.seen.add(key)
        if key not in self.doc:
            if required or default is ...:
                typo = close_names(key, [str(k) for k in self.doc])
                raise InputError("is required" + (
                    f" (found {typo[0]!r}: did you mean {key!r}?)" if typo else ""),
                    self.at(key))
            return default
        value = self.doc[key]
        ok = isinstance(value, kind) and not (kind in (int, float, (int, float))
                                              and isinstance(value, bool))
        if not ok:
            names = {str: "text", int: "a whole number", float: "a number", list: "a list",
                     dict: "a table", bool: "true or false", (int, float): "a number"}
            raise InputError(f"expected {names.get(kind, kind)}, got {value!r}", self.at(key))
        return value

    def time(self, key: str, default=...) -> int:
        """An instant with a zone (ISO 8601 text or a TOML date-time), as int64 ns."""
        if key not in self.doc and default is not ...:
            self.seen.add(key)
            return default
        value = self.get(key, (str, dt.datetime))
        try:
            return int(parse_utc(value, what=key).astype("datetime64[ns]").view(np.int64))
        except InputError as exc:
            raise InputError(exc.what, self.at(key)) from None

    def duration(self, key: str, default=..., *, positive: bool = True) -> float:
        """Seconds in a duration ("7d", "30m", "PT6H", or a number of seconds)."""
        if key not in self.doc and default is not ...:
            self.seen.add(key)
            return default
        value = self.get(key, (str, int, float))
        try:
            seconds = parse_duration_s(value, what=key)
        except InputError as exc:
            raise InputError(exc.what, self.at(key)) from None
        if positive and seconds <= 0:
            raise InputError(f"must be > 0, got {value!r}", self.at(key))
        return seconds

    def table(self, key: str) -> _Table | None:
        self.seen.add(key)
        if key not in self.doc:
            return None
        return _Table(self.doc[key], ".".join(p for p in (self.where, key) if p), self.file)

    def tables(self, key: str) -> list[_Table]:
        self.seen.add(key)
        items = self.doc.get(key, [])
        if not isinstance(items, list):
            raise InputError("expected an array of tables ([[" + key + "]])", self.at(key))
        base = ".".join(p for p in (self.where, key) if p)
        return [_Table(item, f"{base}[{i}]", self.file) for i, item in enumerate(items)]

    def done(self, known_extra: tuple[str, ...] = ()) -> None:
        for key in self.doc:
            if key not in self.seen and key not in known_extra:
                hint = did_you_mean(key, sorted(self.seen),
                                    otherwise=f"; expected one of {', '.join(sorted(self.seen))}")
                raise InputError(f"unknown key {key!r}{hint}", self.at(key))


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; policy files are checked too (relative paths are
    relative to the scenario file)."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"scenario file {path} does not exist", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from None
    return _scenario(doc, path)


def _scenario(doc: Mapping, path: Path) -> Scenario:
    file = str(path)
    root = _Table(doc, "", file)
    head = root.table("scenario")
    if head is None:
        hint = (" (this looks like a policy document: try leonet policy check)"
                if "rules" in doc or "default" in doc else "")
        raise InputError("a scenario file needs a [scenario] table" + hint, file)
    name = head.get("name", str)
    if not _NAME_RE.match(name):
        raise InputError("use lower-case letters, digits, '-', '_' or '.'", head.at("name"))
    start, end = head.time("start"), head.time("end")
    if end <= start:
        raise InputError("end must be after start", head.at("end"))
    sources = head.get("sources", list, [])
    if not all(isinstance(s, str) for s in sources):
        raise InputError("expected a list of texts", head.at("sources"))
    seed = head.get("seed", int, 0)
    if seed < 0:
        raise InputError("must be >= 0", head.at("seed"))
    step_s = head.duration("step")
    if (end - start) / 1e9 / step_s > 20_000:
        raise InputError(f"{(end - start) / 1e9 / step_s:,.0f} timeline instants; use a "
                         "longer step (at most 20,000 instants)", head.at("step"))
    base = dict(name=name, title=head.get("title", str), description=head.get(
        "description", str, ""), sources=tuple(sources), seed=seed, start_ns=start,
        end_ns=end, step_s=step_s)
    head.done()

    sats = root.table("constellation")
    source, alt, mask = "starlink-gen1", (None, None), 25.0
    if sats is not None:
        source = sats.get("source", str, source)
        if not source.startswith("starlink-") and source not in ("kuiper", "oneweb") and \
                not Path(source).is_absolute():
            candidate = path.parent / source
            source = str(candidate) if candidate.exists() else source
        alt = (sats.get("alt_km_min", (int, float), None), sats.get("alt_km_max",
                                                                      (int, float), None))
        mask = _mask_deg(sats)
        sats.done()

    policies = _policies(root.tables("policies"), path, end)
    lanes = _lanes(root.table("lanes"))
    groups = tuple(_group(t, lanes) for t in root.tables("groups"))
    if not groups:
        raise InputError("a scenario needs at least one [[groups]] of terminals", file)
    group_ids = [g.id for g in groups]
    dup = [g for g in group_ids if group_ids.count(g) > 1]
    if dup:
        raise InputError(f"group {dup[0]!r} is defined twice", f"{file}: groups")
    sponsorships, names = _sponsors(root.tables("sponsors"), group_ids)
    detection = _detection(root.table("detection"), start, end)
    enforcement = _enforcement(root.table("enforcement"), detection)
    coverage = _coverage(root.table("coverage"))
    latency = _latency(root.table("latency"))
    root.done()
    return Scenario(path=path, constellation=source, alt_km=alt, min_elevation_deg=mask,
                    policies=policies, groups=groups, sponsorships=sponsorships,
                    sponsor_names=names, detection=detection, enforcement=enforcement,
                    coverage=coverage, latency=latency, **base)


def _policies(items: list[_Table], path: Path, end: int) -> tuple[PolicyStep, ...]:
    if not items:
        raise InputError("a scenario needs at least one [[policies]] entry", str(path))
    out: list[PolicyStep] = []
    for t in items:
        rel = t.get("file", str)
        file = (path.parent / rel).resolve()
        if not file.is_file():
            raise InputError(f"policy file {rel!r} does not exist (looked in {path.parent})",
                             t.at("file"))
        policy = Policy.load(file)  # checked now: a bad policy must not surface mid-run
        from_ns = t.time("from")
        step = PolicyStep(path=file, from_ns=from_ns, event=t.get("event", str), policy=policy,
                          source=t.get("source", str, ""),
                          snapshot_ns=t.time("snapshot", from_ns + 12 * 3600 * 10**9))
        if step.snapshot_ns < step.from_ns:
            raise InputError("the snapshot must not be before the policy is in force",
                             t.at("snapshot"))
        if out and step.from_ns <= out[-1].from_ns:
            raise InputError("policies must be listed in time order, each from a later "
                             "instant than the one before", t.at("from"))
        if step.from_ns >= end:
            raise InputError("is after the scenario's end", t.at("from"))
        t.done()
        out.append(step)
    return tuple(out)


def _lanes(t: _Table | None) -> dict[str, tuple[tuple[float, float], ...]]:
    if t is None:
        return {}
    out = {}
    for key, value in t.doc.items():
        t.seen.add(key)
        ok = isinstance(value, list) and len(value) >= 2 and all(
            isinstance(p, list) and len(p) == 2 and all(
                isinstance(x, int | float) and not isinstance(x, bool) for x in p)
            for p in value)
        if not ok:
            raise InputError("expected a list of at least two [lat, lon] points", t.at(key))
        pts = tuple((float(a), float(b)) for a, b in value)
        if any(abs(a) > 90 or abs(b) > 180 for a, b in pts):
            bad = next(p for p in pts if abs(p[0]) > 90 or abs(p[1]) > 180)
            swapped = abs(bad[1]) <= 90 and abs(bad[0]) <= 180
            raise InputError(f"point {list(bad)} is off the globe" + (
                " (points are [lat, lon]; these look swapped)" if swapped else ""), t.at(key))
        out[key] = pts
    return out


def _placement(t: _Table) -> Placement:
    forms = [k for k in ("cities", "region", "near", "lanes", "airports") if k in t.doc]
    if len(forms) != 1:
        raise InputError("give exactly one of cities = [...], region = \"...\", near = "
                         "[lat, lon], lanes = [...], airports = [...]", t.at())
    form = forms[0]
    if form == "cities":
        countries = _texts(t, "cities")
        p = Placement("cities", countries=countries, spread_km=float(
            t.get("spread_km", (int, float), 8.0)))
    elif form == "airports":
        p = Placement("airports", countries=_texts(t, "airports"))
    elif form == "region":
        ref = t.get("region", str)
        resolve_region(ref, where=t.at("region"))
        p = Placement("region", region=ref)
    elif form == "lanes":
        p = Placement("lanes", lanes=_texts(t, "lanes"))
    else:
        pt = t.get("near", list)
        if len(pt) != 2 or not all(isinstance(x, int | float) and not isinstance(x, bool)
                                   for x in pt):
            raise InputError("expected [lat, lon]", t.at("near"))
        if abs(pt[0]) > 90 or abs(pt[1]) > 180:
            raise InputError(f"{pt} is off the globe (expected [lat, lon])", t.at("near"))
        radius = float(t.get("radius_km", (int, float), 10.0))
        if radius < 0:
            raise InputError("must be >= 0", t.at("radius_km"))
        p = Placement("near", lat_deg=float(pt[0]), lon_deg=float(pt[1]), radius_km=radius)
    t.done()
    return p


def _texts(t: _Table, key: str) -> tuple[str, ...]:
    value = t.get(key, list)
    if not all(isinstance(v, str) and v for v in value):
        raise InputError("expected a list of names", t.at(key))
    return tuple(value)


def _choices(t: _Table, key: str, known, what: str) -> tuple[str, ...]:
    """A list of names, each one of ``known``."""
    names = _texts(t, key)
    for name in names:
        if name not in known:
            raise unknown_name(what, name, known, t.at(key))
    return names


def _regions(t: _Table, key: str) -> tuple[str, ...]:
    """A list of region names, each resolved now (errors suggest the nearest names)."""
    names = _texts(t, key)
    for ref in names:
        resolve_region(ref, where=t.at(key))
    return names


def _mask_deg(t: _Table, key: str = "min_elevation_deg") -> float:
    mask = float(t.get(key, (int, float), 25.0))
    if not 0.0 <= mask < 90.0:
        raise InputError("must be in [0, 90)", t.at(key))
    return mask


def _group(t: _Table, lanes) -> GroupSpec:
    gid = t.get("id", str)
    if not _NAME_RE.match(gid):
        raise InputError("use lower-case letters, digits, '-', '_' or '.'", t.at("id"))
    n = t.get("n", int)
    if not 0 <= n <= 2_000_000:
        raise InputError(f"must be between 0 and 2,000,000, got {n}", t.at("n"))
    place_t = t.table("place")
    if place_t is None:
        raise InputError("is required", t.at("place"))
    place = _placement(place_t)
    if place.kind == "lanes":
        known = {**LANES, **lanes}
        bad = [x for x in place.lanes if x not in known]
        if bad:
            raise unknown_name("sea lane", bad[0], sorted(known), place_t.at("lanes"),
                           " (or define it under [lanes])")
    mob = _mobility(t, place)
    wl_t = t.doc.get("whitelisted")
    share, wl_from, wl_regions = 0.0, ALWAYS, ()
    if isinstance(wl_t, Mapping):
        w = t.table("whitelisted")
        share = float(w.get("share", (int, float), 1.0))
        wl_from = w.time("from", ALWAYS)
        wl_regions = _regions(w, "regions") if "regions" in w.doc else ()
        w.done()
    elif wl_t is not None:
        share = float(t.get("whitelisted", (int, float)))
    if not 0.0 <= share <= 1.0:
        raise InputError(f"share must be in [0, 1], got {share}", t.at("whitelisted"))
    motion = t.table("motion")
    params = MobilityParams.from_mapping(motion.doc, motion.at()) \
        if motion is not None else MobilityParams()
    if motion is not None:
        motion.seen.update(motion.doc)
    move_to, move_at, convoy = None, NEVER, 50.0
    move = t.table("move")
    if move is not None:
        to = move.table("to")
        if to is None:
            raise InputError("is required", move.at("to"))
        move_to = _placement(to)
        move_at = move.time("at")
        convoy = float(move.get("speed_kmh", (int, float), convoy))
        if not 0 < convoy <= 1300:
            raise InputError("must be in (0, 1300] km/h", move.at("speed_kmh"))
        move.done()
    home = t.get("home_country", str, "")
    if home and resolve_region(home, where=t.at("home_country")).kind != "country":
        raise InputError(f"{home!r} is not a country", t.at("home_country"))
    spec = GroupSpec(
        id=gid, n=n, place=place, mobility=mob, plan=t.get("plan", str, ""), home_country=home,
        active_from_ns=t.time("from", ALWAYS), active_until_ns=t.time("until", NEVER),
        switch_on_ns=t.time("switch_on", ALWAYS), whitelisted_share=share,
        switch_on_spread_s=t.duration("switch_on_spread", 0.0),
        whitelisted_from_ns=wl_from, whitelist_regions=wl_regions, params=params,
        move_to=move_to, move_at_ns=move_at, convoy_speed_kmh=convoy, lanes=lanes)
    if spec.active_until_ns <= spec.active_from_ns:
        raise InputError("until must be after from", t.at("until"))
    t.done()
    return spec


def _mobility(t: _Table, place: Placement) -> tuple[tuple[str, float], ...]:
    value = t.get("mobility", (str, Mapping), "static")
    pairs = ((value, 1.0),) if isinstance(value, str) else tuple(value.items())
    for kind, share in pairs:
        if kind not in MOBILITY_KINDS:
            raise unknown_name("mobility", kind, MOBILITY_KINDS, t.at("mobility"))
        if not isinstance(share, int | float) or isinstance(share, bool) or share < 0:
            raise InputError(f"share of {kind} must be a number >= 0", t.at("mobility"))
    total = sum(s for _, s in pairs)
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"shares add up to {total:g}, not 1", t.at("mobility"))
    kinds = [k for k, _ in pairs]
    if ("maritime" in kinds) != (place.kind == "lanes"):
        raise InputError("maritime terminals are placed on sea lanes (place = { lanes = "
                         "[...] }), and only they", t.at("mobility"))
    if "aviation" in kinds and place.kind != "airports":
        raise InputError("aircraft are placed at airports (place = { airports = [...] })",
                         t.at("mobility"))
    return tuple((k, float(s)) for k, s in pairs)


def _sponsors(items: list[_Table], group_ids: list[str]):
    out, names = [], {}
    for t in items:
        sid = t.get("id", str)
        if sid in names:
            raise InputError(f"sponsor {sid!r} is defined twice", t.at("id"))
        names[sid] = t.get("name", str, sid)
        groups = _choices(t, "groups", group_ids, "group")
        share = float(t.get("share", (int, float), 1.0))
        if not 0.0 <= share <= 1.0:
            raise InputError(f"must be in [0, 1], got {share}", t.at("share"))
        s = Sponsorship(sponsor=sid, groups=groups, share=share,
                        from_ns=t.time("from", ALWAYS), until_ns=t.time("until", NEVER))
        if s.until_ns <= s.from_ns:
            raise InputError("until must be after from", t.at("until"))
        t.done()
        out.append(s)
    return tuple(out), names


def _detection(t: _Table | None, start: int, end: int) -> DetectionSpec | None:
    if t is None:
        return None
    every = t.duration("report_every", 1800.0)
    kinds = _choices(t, "kinds", KINDS, "detector") if "kinds" in t.doc else None
    cfg_t = t.table("config")
    config = DetectConfig.from_mapping(cfg_t.doc, cfg_t.at()) \
        if cfg_t is not None else DetectConfig()
    windows = []
    for w in t.tables("windows"):
        w_start = w.time("start")
        w_end = w_start + round(w.duration("duration") * 1e9)
        if w_start < start or w_end > end:
            raise InputError("a detection window must lie within the scenario's start and "
                             "end", w.at("start"))
        if (w_end - w_start) / 1e9 / every > 5_000:
            raise InputError("more than 5,000 reports per terminal: shorten the window or "
                             "report less often", w.at("duration"))
        windows.append(Window(w.get("name", str, f"window {len(windows) + 1}"), w_start, w_end))
        w.done()
    if not windows:
        raise InputError("a [detection] table needs at least one [[detection.windows]]",
                         t.at("windows"))
    windows.sort(key=lambda w: w.start_ns)
    for a, b in itertools.pairwise(windows):
        if b.start_ns < a.end_ns:
            raise InputError(f"windows {a.name!r} and {b.name!r} overlap", t.at("windows"))
    t.done()
    return DetectionSpec(every, tuple(windows), kinds, config)


def _enforcement(t: _Table | None, detection: DetectionSpec | None) -> EnforcementSpec | None:
    if t is None:
        return None
    if detection is None:
        raise InputError("enforcement acts on incidents: add a [detection] table", t.at())
    kinds = _choices(t, "suspend_on", KINDS, "incident kind")
    regions = _regions(t, "regions") if "regions" in t.doc else ()
    spec = EnforcementSpec(kinds, t.duration("after", 0.0, positive=False), regions)
    if spec.after_s < 0:
        raise InputError("must be >= 0", t.at("after"))
    t.done()
    return spec


def _coverage(t: _Table | None) -> CoverageSpec | None:
    if t is None:
        return None
    regions = _regions(t, "regions")
    res = t.get("resolution", int, 4)
    if not 0 <= res <= 15:
        raise InputError(f"H3 resolution must be in 0..15, got {res}", t.at("resolution"))
    spec = CoverageSpec(regions, res, t.time("start"), *_span(t, 60.0), _mask_deg(t))
    t.done()
    return spec


def _latency(t: _Table | None) -> LatencySpec | None:
    if t is None:
        return None
    places = _texts(t, "from")
    for name in (*places, *([t.doc["to"]] if t.doc.get("to", "pop") != "pop" else [])):
        try:
            ground_place(name)
        except InputError as exc:
            raise InputError(exc.what, t.at("from" if name in places else "to")) from None
    modes = (_choices(t, "modes", MODES, "mode") if "modes" in t.doc
             else ("operator", "bentpipe", "fibre"))
    spec = LatencySpec(places, t.get("to", str, "pop"), t.time("start"), *_span(t, 15.0),
                       modes)
    t.done()
    return spec


def _span(t: _Table, step_s: float) -> tuple[float, float]:
    """``(duration_s, step_s)`` of a short run (an hour by default), at most 10,000 steps."""
    duration, step = t.duration("duration", 3600.0), t.duration("step", step_s)
    if duration / step > 10_000:
        raise InputError("more than 10,000 instants: use a longer step", t.at("step"))
    return duration, step
