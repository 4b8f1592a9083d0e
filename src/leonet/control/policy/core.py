"""`Policy`: a loaded, checked, compiled policy document."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from leonet.control.labels import water_units
from leonet.control.policy.analysis import analyse
from leonet.control.policy.areas import resolve_areas
from leonet.control.policy.decisions import Decisions
from leonet.control.policy.document import (
    TOP_KEYS,
    Locator,
    Rule,
    format_of,
    iso_z,
    parse_plans,
    parse_rule,
    parse_waters,
    read_document,
    unknown_key,
)
from leonet.control.policy.engine import Engine, compile_engine, h3_membership, run
from leonet.control.policy.inputs import make_terminals
from leonet.control.regions import Region, resolve_region
from leonet.control.waters import TERRITORIAL_SEA_KM, region_units
from leonet.errors import InputError


@dataclass(frozen=True, eq=False)
class Policy:
    """A versioned policy: a default effect and rules evaluated as in IAM.

    Load with `Policy.load` (a file; ``file:`` regions relative to it) or `Policy.from_text`
    (e.g. an upload). ``warnings`` lists conflicts, rules that never match or never decide,
    and notes on the input (clockwise rings, antimeridian cuts).
    """

    version: str
    default: str
    rules: tuple[Rule, ...]
    plans: tuple[str, ...]
    areas: dict[str, Region]
    area_specs: dict
    regions: dict[str, Region]  # every region name the rules use -> its region
    source: str
    base_dir: Path | None
    description: str = ""
    warnings: tuple[str, ...] = field(default=())
    explicit_plans: bool = False
    waters_km: float = TERRITORIAL_SEA_KM  # the territorial sea built-in regions take
    waters: object = None  # the document's ``waters`` as written (None: not given)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"policy file {path} does not exist", str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read policy file: {exc}", str(path)) from None
        return cls.from_text(text, fmt=format_of(path), source=str(path),
                             base_dir=path.resolve().parent)

    @classmethod
    def from_text(cls, text: str, fmt: str = "toml", source: str = "<text>",
                  base_dir: str | Path | None = None) -> Policy:
        doc = read_document(text, fmt, source)
        return cls.from_dict(doc, source=source, base_dir=base_dir, text=text)

    @classmethod
    def from_dict(cls, doc: dict, source: str = "<dict>", base_dir: str | Path | None = None,
                  text: str = "") -> Policy:
        loc = Locator(source, text)
        base = Path(base_dir) if base_dir is not None else None
        for key in doc:
            if key not in TOP_KEYS:
                raise unknown_key(key, TOP_KEYS, loc.top(key), "top-level")
        version = doc.get("version")
        if hasattr(version, "isoformat"):  # TOML reads an unquoted 2026-02-03 as a date
            version = version.isoformat()
        if not isinstance(version, str) or not version.strip():
            raise InputError("every policy needs a version string, e.g. version = "
                             "\"2026-02-03\"", loc.top("version"))
        default = doc.get("default")
        if default not in ("allow", "deny"):
            raise InputError(f"default must be 'allow' or 'deny', got {default!r} (say which: "
                             "nothing is assumed)", loc.top("default"))
        description = doc.get("description", "")
        if not isinstance(description, str):
            raise InputError("description must be text", loc.top("description"))
        plans = parse_plans(doc, loc)
        waters_km = parse_waters(doc, loc)
        raw_rules = doc.get("rules", [])
        if not isinstance(raw_rules, list):
            raise InputError("rules must be an array of tables ([[rules]])", loc.top("rules"))
        rules = tuple(parse_rule(r, i, loc, plans) for i, r in enumerate(raw_rules))
        seen: dict[str, int] = {}
        for rule in rules:
            if rule.id in seen:
                raise InputError(f"rule id {rule.id!r} is used twice (rules[{seen[rule.id]}] "
                                 f"and rules[{rule.position}]); ids must be unique",
                                 loc.rule(rule.position, rule.id, "id"))
            seen[rule.id] = rule.position
        areas = resolve_areas(doc.get("areas"), loc, base)
        regions: dict[str, Region] = {}
        for rule in rules:
            for key in ("regions", "except_regions"):
                for k, name in enumerate(getattr(rule, key) or ()):
                    if name not in regions:
                        regions[name] = resolve_region(
                            name, base_dir=base, areas=areas,
                            where=loc.rule(rule.position, rule.id, f"{key}[{k}]"))
            overlap = set(rule.regions or ()) & set(rule.except_regions)
            if overlap:
                raise InputError(f"contradictory regions: {sorted(overlap)} both included and "
                                 "excepted", loc.rule(rule.position, rule.id, "except_regions"))
            for k, code in enumerate(rule.home_countries or ()):
                reg = resolve_region(code, where=loc.rule(rule.position, rule.id,
                                                           f"home_countries[{k}]"))
                if reg.kind != "country":
                    raise InputError(f"home_countries takes country codes, {code!r} is a "
                                     f"{reg.kind} region", loc.rule(rule.position, rule.id,
                                                                    f"home_countries[{k}]"))
        rules = tuple(_canonical_homes(r) for r in rules)
        policy = cls(version=version, default=default, rules=rules, plans=plans, areas=areas,
                     area_specs=dict(doc.get("areas") or {}), regions=regions, source=source,
                     base_dir=base, description=description, explicit_plans="plans" in doc,
                     waters_km=waters_km, waters=doc.get("waters"))
        notes = [n for r in list(regions.values()) + list(areas.values()) for n in r.notes]
        object.__setattr__(policy, "warnings", tuple(dict.fromkeys(notes + analyse(policy))))
        return policy

    # -- identity ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The canonical document (JSON-able; `Policy.from_dict` reads it back)."""
        out: dict = {"version": self.version, "default": self.default}
        if self.description:
            out["description"] = self.description
        if self.explicit_plans:
            out["plans"] = list(self.plans)
        if self.waters is not None:  # absent stays absent, so older digests hold
            out["waters"] = self.waters
        if self.area_specs:
            out["areas"] = json.loads(json.dumps(self.area_specs, default=_jsonable))
        out["rules"] = [r.to_dict() for r in self.rules]
        return out

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical document (two equal policies have equal digests)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def __repr__(self) -> str:
        return (f"Policy(version={self.version!r}, default={self.default!r}, "
                f"{len(self.rules)} rules, source={self.source!r})")

    # -- deciding ----------------------------------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        """The compiled form (built on first use; cached on disk by content)."""
        return compile_engine(self.rules, self.regions, self.plans, waters_km=self.waters_km)

    def in_region(self, name: str, lat_deg: float, lon_deg: float) -> bool:
        """Whether one point is in the region a rule names, waters included (the slow,
        obviously-correct test the reference evaluator uses)."""
        reg = self.regions[name]
        if bool(reg.contains(lat_deg, lon_deg)):
            return True
        units = region_units(reg.kind, reg.ref) if self.waters_km else ()
        if not len(units):
            return False
        unit, _ = water_units([lat_deg], [lon_deg], self.waters_km)
        return bool(unit[0] >= 0 and unit[0] in units)

    def decide(self, *, lat_deg, lon_deg, alt_m=0.0, speed_kmh=0.0, time=None,
               whitelisted=False, plan=None, home_country=None, roaming_days=0.0,
               funded=True) -> Decisions:
        """Decisions for terminals; every argument broadcasts (arrays or scalars).

        ``time``: datetime64 or ISO 8601 strings with a zone (default: now). ``plan`` and
        ``home_country``: text, arrays of text, or per-row codes into a table of values
        (`Coded`); rows are decided in groups sharing them. Missing values never satisfy a
        condition (a NaN speed is not above any limit; no plan is on no plan list).
        """
        eng = self.engine
        t = make_terminals(lat_deg=lat_deg, lon_deg=lon_deg, alt_m=alt_m, speed_kmh=speed_kmh,
                           time=time, whitelisted=whitelisted, plan=plan,
                           home_country=home_country, roaming_days=roaming_days,
                           funded=funded, plans=self.plans, home_codes=eng.home_codes)
        n = t.size
        lat = np.broadcast_to(t.lat_deg, (n,)) if t.lat_deg.size == 1 else t.lat_deg
        lon = np.broadcast_to(t.lon_deg, (n,)) if t.lon_deg.size == 1 else t.lon_deg
        lat, lon = np.ascontiguousarray(lat), np.ascontiguousarray(lon)
        h3mem = (h3_membership(eng, lat, lon) if len(eng.regions) > eng.n_poly
                 else np.zeros((1, 0), dtype=np.bool_))
        idx = run(eng, lat, lon, t.alt_m, t.speed_kmh, t.time_ns, t.whitelisted, t.plan,
                  t.home, t.roaming_days, t.funded, h3mem)
        return Decisions(policy=self, rule_index=idx.reshape(t.shape), terminals=t)


def _canonical_homes(rule: Rule) -> Rule:
    if rule.home_countries is None:
        return rule
    return replace(rule, home_countries=tuple(
        resolve_region(c).ref for c in rule.home_countries))


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return iso_z(value)
    raise TypeError(f"cannot store {value!r} in a policy document")
