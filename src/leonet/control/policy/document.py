"""Policy documents (TOML or JSON): schema checks with errors that name file, rule and field.

A document::

    version = "2026-02-03"
    default = "deny"                  # required: "allow" or "deny"
    plans = ["residential", "roam"]   # optional: the plan names rules and terminals may use

    [areas.front]                     # optional: areas defined inside the document
    geojson = { type = "LineString", coordinates = [[37.5, 47.1], [37.9, 48.4]] }
    buffer_km = 20

    [[rules]]
    id = "ua-activated"
    effect = "allow"
    regions = ["UA"]                  # absent = everywhere
    from = "2022-02-26T00:00:00Z"     # from <= t < until

Rule conditions: ``regions``, ``except_regions``, ``from``, ``until``, ``speed_kmh_above``,
``altitude_m_above``, ``plans``, ``roaming_days_above``, ``unfunded``, ``whitelisted``,
``unless_whitelisted``, ``home_countries``; ``description`` is free text. Area keys:
``geojson``, ``file``, ``h3``, ``regions`` (union), ``minus`` (difference), ``buffer_km``,
``description``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leonet.errors import InputError, did_you_mean
from leonet.physics.timegrid import iso_utc, parse_bound

# Starlink's public service plans (starlink.com/specifications and plan pages, 2025), in
# lower case, plus "donated" for terminals given by governments and sponsors (Ukraine 2022).
DEFAULT_PLANS = ("residential", "residential-lite", "roam", "roam-regional", "roam-global",
                 "business", "priority", "mobile-priority", "maritime", "aviation",
                 "community", "government", "donated")
MAX_PLANS = 64  # plan sets are bit masks in the kernel

TOP_KEYS = ("version", "default", "description", "plans", "areas", "rules")
RULE_KEYS = ("id", "effect", "description", "regions", "except_regions", "from", "until",
             "speed_kmh_above", "altitude_m_above", "plans", "roaming_days_above", "unfunded",
             "whitelisted", "unless_whitelisted", "home_countries")
AREA_KEYS = ("description", "geojson", "file", "h3", "regions", "minus", "buffer_km")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_ID_LINE_RE = re.compile(r'^\s*"?id"?\s*[=:]\s*["\']([A-Za-z0-9._-]+)["\']', re.MULTILINE)
# The REST schema's cap on a document (schemas/policies.py), here for every entry point; GeoJSON
# coordinates nest 4 deep (MultiPolygon) inside an area 3 deep: 32 leaves room to spare.
MAX_DOCUMENT_CHARS = 5_000_000
MAX_DEPTH = 32
# What is not structure: strings (and, in TOML, comments), whose brackets do not nest.
_JSON_SKIP_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_TOML_SKIP_RE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                           r"'[^'\n]*'|#[^\n]*")
NO_START = np.iinfo(np.int64).min
NO_END = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Rule:
    """One rule as written (regions as names; times as datetime64[ns] or None)."""

    id: str
    effect: str
    position: int
    regions: tuple[str, ...] | None = None
    except_regions: tuple[str, ...] = ()
    start: np.datetime64 | None = None
    end: np.datetime64 | None = None
    speed_kmh_above: float | None = None
    altitude_m_above: float | None = None
    plans: tuple[str, ...] | None = None
    roaming_days_above: float | None = None
    unfunded: bool | None = None
    whitelisted: bool | None = None
    unless_whitelisted: bool = False
    home_countries: tuple[str, ...] | None = None
    description: str = ""

    def to_dict(self) -> dict:
        out: dict = {"id": self.id, "effect": self.effect}
        if self.description:
            out["description"] = self.description
        if self.regions is not None:
            out["regions"] = list(self.regions)
        if self.except_regions:
            out["except_regions"] = list(self.except_regions)
        if self.start is not None:
            out["from"] = iso_z(self.start)
        if self.end is not None:
            out["until"] = iso_z(self.end)
        for key in ("speed_kmh_above", "altitude_m_above", "roaming_days_above"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.plans is not None:
            out["plans"] = list(self.plans)
        for key in ("unfunded", "whitelisted"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.unless_whitelisted:
            out["unless_whitelisted"] = True
        if self.home_countries is not None:
            out["home_countries"] = list(self.home_countries)
        return out

    def conditions_text(self) -> str:
        """The rule's conditions in plain words."""
        parts = []
        parts.append("everywhere" if self.regions is None else "in " + ", ".join(self.regions))
        if self.except_regions:
            parts.append("except in " + ", ".join(self.except_regions))
        if self.start is not None:
            parts.append(f"from {iso_z(self.start)}")
        if self.end is not None:
            parts.append(f"until {iso_z(self.end)}")
        if self.speed_kmh_above is not None:
            parts.append(f"moving faster than {self.speed_kmh_above:g} km/h")
        if self.altitude_m_above is not None:
            parts.append(f"higher than {self.altitude_m_above:g} m above ground")
        if self.plans is not None:
            parts.append("on plan " + " or ".join(self.plans))
        if self.roaming_days_above is not None:
            parts.append(f"roaming for more than {self.roaming_days_above:g} days")
        if self.unfunded is not None:
            parts.append("unfunded" if self.unfunded else "funded")
        if self.whitelisted is not None:
            parts.append("whitelisted" if self.whitelisted else "not whitelisted")
        if self.unless_whitelisted:
            parts.append("unless whitelisted")
        if self.home_countries is not None:
            parts.append("home country " + " or ".join(self.home_countries))
        return "; ".join(parts)


def iso_z(t: np.datetime64) -> str:
    """``2026-02-01T00:00:00Z`` (fractions of a second only when present)."""
    text = iso_utc(t, "ns")
    return re.sub(r"\.?0+Z$", "Z", text) if "." in text else text


def check_shape(text: str, fmt: str, source: str) -> None:
    """Refuse a document over `MAX_DOCUMENT_CHARS` or nesting arrays and tables deeper than
    `MAX_DEPTH`, before a parser recurses into it (Python's JSON and TOML parsers raise
    RecursionError about 1,000 levels down)."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(f"the document has {len(text):,} characters; the limit is "
                         f"{MAX_DOCUMENT_CHARS:,}", source)
    pattern = _TOML_SKIP_RE if fmt == "toml" else _JSON_SKIP_RE
    brackets = np.frombuffer(pattern.sub("", text).encode("utf-8", "replace"), dtype=np.uint8)
    step = np.zeros(256, dtype=np.int64)
    step[[ord("["), ord("{")]], step[[ord("]"), ord("}")]] = 1, -1
    depth = np.cumsum(step[brackets]) if brackets.size else np.zeros(1, np.int64)
    if depth.max() > MAX_DEPTH:
        raise InputError(f"arrays and tables are nested {int(depth.max()):,} levels deep; the "
                         f"limit is {MAX_DEPTH}", source)


def read_document(text: str, fmt: str, source: str) -> dict:
    """Parse TOML or JSON text into a plain dict (syntax errors name the line)."""
    check_shape(text, fmt, source)
    if fmt == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", source) from None
    if fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}",
                             f"{source}:{exc.lineno}:{exc.colno}") from None
        if not isinstance(doc, dict):
            raise InputError("a policy document must be a JSON object", source)
        return doc
    raise InputError(f"unknown policy format {fmt!r}; expected 'toml' or 'json'", source)


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix in (".json", ".geojson"):
        return "json"
    raise InputError(f"cannot tell the policy format from {path.name!r}; name it .toml or .json",
                     str(path))


class Locator:
    """Builds ``where`` strings: file, JSON path, rule id and (TOML) the line of the rule."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self._lines: dict[str, int] | None = None

    def top(self, key: str) -> str:
        return f"{self.source}: {key}"

    def rule(self, i: int, rule_id: object, key: str | None = None) -> str:
        where = f"{self.source}: rules[{i}]"
        if isinstance(rule_id, str):
            where += f" (id {rule_id!r}"
            line = self._line_of(rule_id)
            where += f", line {line})" if line else ")"
        return where + (f".{key}" if key else "")

    def _line_of(self, rule_id: str) -> int | None:
        if self._lines is None:  # one pass over the text, on the first error message
            self._lines = {}
            for m in _ID_LINE_RE.finditer(self.text):
                self._lines.setdefault(m.group(1), self.text.count("\n", 0, m.start()) + 1)
        return self._lines.get(rule_id)


def unknown_key(key: str, allowed: tuple[str, ...], where: str, what: str) -> InputError:
    hint = did_you_mean(key, allowed, otherwise=f"; expected one of {', '.join(allowed)}")
    return InputError(f"unknown {what} key {key!r}{hint}", where)


def parse_time(value: object, where: str, *, end: bool) -> np.datetime64 | None:
    """One end of a rule's window (``end``: the ``until``): a time past 2262 is "no end" (an
    ``until``) and one before 1677 "no start" (a ``from``), both None (`parse_bound`)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InputError(f"time {value.isoformat()} has no timezone; add 'Z' for UTC or an "
                             "offset such as +02:00", where)
    elif isinstance(value, dt.date):
        raise InputError(f"{value.isoformat()} is a date; give an instant with a zone such as "
                         f"{value.isoformat()}T00:00:00Z", where)
    elif not isinstance(value, str):
        raise InputError(f"expected a time string such as 2026-02-01T00:00:00Z, got {value!r}",
                         where)
    try:
        return parse_bound(value, what="time", end=end)
    except InputError as exc:
        raise InputError(exc.what, where) from None


def number(value: object, where: str, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number, got {value!r}", where)
    if not np.isfinite(value):
        raise InputError(f"expected a finite number, got {value!r}", where)
    if minimum is not None and value < minimum:
        raise InputError(f"must be at least {minimum:g}, got {value!r}", where)
    return float(value)


def boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", where)
    return value


def str_list(value: object, where: str, *, allow_single: bool = True) -> tuple[str, ...]:
    if isinstance(value, str) and allow_single:
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"expected a list of strings, got {value!r}", where)
    return tuple(value)


def parse_plans(doc: dict, loc: Locator) -> tuple[str, ...]:
    if "plans" not in doc:
        return DEFAULT_PLANS
    plans = str_list(doc["plans"], loc.top("plans"), allow_single=False)
    if not plans:
        raise InputError("plans must not be empty (leave it out for the default plan list)",
                         loc.top("plans"))
    if len(set(plans)) != len(plans):
        dup = next(p for p in plans if plans.count(p) > 1)
        raise InputError(f"plan {dup!r} is listed twice", loc.top("plans"))
    if len(plans) > MAX_PLANS:
        raise InputError(f"at most {MAX_PLANS} plans are supported, got {len(plans)}",
                         loc.top("plans"))
    return plans


def check_plan(name: str, plans: tuple[str, ...], where: str) -> str:
    if name in plans:
        return name
    hint = did_you_mean(name, plans, n=2, cutoff=0.5,
                        otherwise=f"; known plans: {', '.join(plans)}")
    raise InputError(f"unknown plan {name!r}{hint} (declare plans = [...] at the top of the "
                     "policy to use other names)", where)


def parse_rule(raw: object, i: int, loc: Locator, plans: tuple[str, ...]) -> Rule:
    if not isinstance(raw, dict):
        raise InputError(f"each rule must be a table/object, got {raw!r}", loc.rule(i, None))
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        raise InputError("every rule needs an id: letters, digits, '.', '_' or '-' (at most "
                         f"128), got {rid!r}", loc.rule(i, None, "id"))
    for key in raw:
        if key not in RULE_KEYS:
            raise unknown_key(key, RULE_KEYS, loc.rule(i, rid, key), "rule")
    effect = raw.get("effect")
    if effect not in ("allow", "deny"):
        raise InputError(f"effect must be 'allow' or 'deny', got {effect!r}",
                         loc.rule(i, rid, "effect"))
    kw: dict = {}
    if "regions" in raw:
        kw["regions"] = str_list(raw["regions"], loc.rule(i, rid, "regions"))
        if not kw["regions"]:
            raise InputError("regions is empty, so the rule could never match; leave regions "
                             "out for 'everywhere'", loc.rule(i, rid, "regions"))
    if "except_regions" in raw:
        kw["except_regions"] = str_list(raw["except_regions"], loc.rule(i, rid, "except_regions"))
    if "from" in raw:
        kw["start"] = parse_time(raw["from"], loc.rule(i, rid, "from"), end=False)
    if "until" in raw:
        kw["end"] = parse_time(raw["until"], loc.rule(i, rid, "until"), end=True)
    if kw.get("start") is not None and kw.get("end") is not None and kw["start"] >= kw["end"]:
        raise InputError(f"contradictory validity window: from {iso_z(kw['start'])} is not "
                         f"before until {iso_z(kw['end'])}", loc.rule(i, rid, "until"))
    for key, minimum in (("speed_kmh_above", 0.0), ("altitude_m_above", None),
                         ("roaming_days_above", 0.0)):
        if key in raw:
            kw[key] = number(raw[key], loc.rule(i, rid, key), minimum=minimum)
    if "plans" in raw:
        names = str_list(raw["plans"], loc.rule(i, rid, "plans"))
        if not names:
            raise InputError("plans is empty, so the rule could never match",
                             loc.rule(i, rid, "plans"))
        kw["plans"] = tuple(check_plan(p, plans, loc.rule(i, rid, f"plans[{k}]"))
                            for k, p in enumerate(names))
    for key in ("unfunded", "whitelisted", "unless_whitelisted"):
        if key in raw:
            kw[key] = boolean(raw[key], loc.rule(i, rid, key))
    if kw.get("unless_whitelisted") and kw.get("whitelisted"):
        raise InputError("contradictory conditions: whitelisted = true and unless_whitelisted "
                         "= true can never both hold", loc.rule(i, rid, "unless_whitelisted"))
    if "home_countries" in raw:
        kw["home_countries"] = str_list(raw["home_countries"], loc.rule(i, rid, "home_countries"))
    if "description" in raw:
        if not isinstance(raw["description"], str):
            raise InputError("description must be text", loc.rule(i, rid, "description"))
        kw["description"] = raw["description"]
    return Rule(id=rid, effect=effect, position=i, **kw)
