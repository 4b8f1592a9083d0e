"""Current element sets from CelesTrak's GP service, cached on disk with their fetch time.

CelesTrak is the field's standard public source of GP (general perturbations) elements. Its
usage policy (celestrak.org/NORAD/documentation/gp-data-formats.php, "A New Way to Obtain GP
Data", and celestrak.org/usage-policy.php) asks clients to fetch a group no more often than the
data change — every 2 hours — and to stop at the first non-200 answer and tell a human. So a
group is fetched only by an explicit call (`fetch_group`, ``leonet data fetch``), written with
the instant it was fetched, and not fetched again within `CACHE_LIFETIME_S` unless forced; a
failed fetch raises `FetchError` naming the URL and keeps the previous copy.

Fetched groups are found again by name: ``Constellation.load("starlink")`` (or
``"celestrak:starlink"``, which also reaches groups named like a preset, such as ``oneweb``)
reads the newest copy in `data_dir`.

>>> fetched_url("starlink", "tle", base_url="http://127.0.0.1:8000/gp.php")
'http://127.0.0.1:8000/gp.php?GROUP=starlink&FORMAT=TLE'
>>> fetched_url("Starlink; rm", "tle")
Traceback (most recent call last):
...
leonet.errors.InputError: group: 'Starlink; rm' is not a CelesTrak group name (letters, digits
and '-', e.g. starlink, oneweb, kuiper)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from leonet import __version__
from leonet.errors import FetchError, InputError
from leonet.physics.orbits.omm import parse_elements

DEFAULT_BASE_URL = "https://celestrak.org/NORAD/elements/gp.php"
BASE_URL_ENV = "LEONET_CELESTRAK_URL"
DATA_DIR_ENV = "LEONET_DATA_DIR"
# CelesTrak updates GP data every 2 hours and asks for no more frequent downloads of a group
# (gp-data-formats.php, "Rate limits"); the whole Starlink group is ~10,000 objects.
CACHE_LIFETIME_S = 2 * 3600
# The Starlink group as OMM JSON is ~7 MB (10,000 objects x ~700 B); 64 MiB bounds a runaway
# or hostile answer well above any real group.
MAX_BODY_BYTES = 64 * 2**20
TIMEOUT_S = 60.0
# --format name -> (CelesTrak FORMAT value, file suffix). OMM comes as CelesTrak's JSON form,
# which `leonet.physics.orbits.omm` reads.
FORMATS = {"tle": ("TLE", ".tle"), "omm": ("JSON", ".json")}
KNOWN_GROUPS = ("starlink", "oneweb", "kuiper", "qianfan", "iridium-NEXT", "globalstar",
                "orbcomm", "gps-ops", "galileo", "stations", "active")
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
PREFIX = "celestrak:"


@dataclass(frozen=True)
class Fetched:
    """One group's elements on disk: where, from which URL, when fetched, how many
    satellites; ``downloaded`` is False when a fresh cached copy was kept instead."""

    group: str
    format: str
    path: Path
    url: str
    fetched_at: dt.datetime
    n_satellites: int
    n_skipped: int
    downloaded: bool

    @property
    def next_fetch_at(self) -> dt.datetime:
        """The first instant at which CelesTrak's guidance allows fetching this group again."""
        return self.fetched_at + dt.timedelta(seconds=CACHE_LIFETIME_S)


def data_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where fetched groups live: ``cache_dir``, else ``$LEONET_DATA_DIR``, else
    ``$XDG_CACHE_HOME/leonet/celestrak`` (``~/.cache/leonet/celestrak``)."""
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "leonet" / "celestrak"


def check_group(group: str) -> str:
    """``group`` if it can be a CelesTrak group name, else an `InputError`."""
    if not _GROUP.fullmatch(group):
        raise InputError(f"{group!r} is not a CelesTrak group name (letters, digits and '-', "
                         f"e.g. starlink, oneweb, kuiper)", "group")
    return group


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected {' or '.join(FORMATS)}", "--format")
    return fmt


def fetched_url(group: str, fmt: str, *, base_url: str | None = None) -> str:
    """The GP query URL of ``group`` in ``fmt`` (base from ``base_url``, else
    ``$LEONET_CELESTRAK_URL``, else CelesTrak's)."""
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    query = urllib.parse.urlencode({"GROUP": check_group(group),
                                    "FORMAT": FORMATS[check_format(fmt)][0]})
    return f"{base}?{query}"


def _paths(group: str, fmt: str, folder: Path) -> tuple[Path, Path]:
    data = folder / f"{group.lower()}{FORMATS[fmt][1]}"
    return data, data.with_name(data.name + ".meta.json")


def cached(group: str, *, cache_dir: str | os.PathLike[str] | None = None
           ) -> Fetched | None:
    """The newest fetched copy of ``group`` in any format, or None."""
    folder = data_dir(cache_dir)
    found = [f for fmt in FORMATS if (f := _read_meta(group, fmt, folder)) is not None]
    return max(found, key=lambda f: f.fetched_at, default=None)


def _read_meta(group: str, fmt: str, folder: Path) -> Fetched | None:
    data, meta = _paths(check_group(group), fmt, folder)
    if not (data.is_file() and meta.is_file()):
        return None
    try:
        m = json.loads(meta.read_text(encoding="utf-8"))
        fetched_at = dt.datetime.fromisoformat(m["fetched_at"])
        return Fetched(group=m["group"], format=fmt, path=data, url=m["url"],
                       fetched_at=fetched_at, n_satellites=int(m["n_satellites"]),
                       n_skipped=int(m.get("n_skipped", 0)), downloaded=False)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"unreadable fetch record ({exc}); delete it or fetch again with "
                         f"--force", str(meta)) from None


def fetch_group(group: str, fmt: str = "tle", *,
                cache_dir: str | os.PathLike[str] | None = None, force: bool = False,
                base_url: str | None = None, now: dt.datetime | None = None) -> Fetched:
    """Fetch ``group``'s current elements unless a copy younger than `CACHE_LIFETIME_S`
    exists (then return it with ``downloaded=False``; ``force`` fetches anyway).

    The answer must hold at least one valid element set, else `FetchError`; records that
    fail their checks are skipped and counted. The file and its fetch record are replaced
    only after a good answer, so a failed fetch loses nothing.
    """
    url = fetched_url(group, fmt, base_url=base_url)
    now = now or dt.datetime.now(dt.UTC)
    folder = data_dir(cache_dir)
    previous = _read_meta(group, fmt, folder)
    if previous is not None and not force and now < previous.next_fetch_at:
        return previous
    text = _download(url)
    # CelesTrak answers an unknown group with 200 and a sentence ("No GP data found").
    begins = next((line.strip() for line in text.splitlines() if line.strip()), "")[:60]
    try:
        elements = parse_elements(text, source="answer", skip_invalid=True)
    except InputError as exc:
        raise FetchError(f"the answer is not TLE or OMM elements: it begins {begins!r} "
                         f"({exc})", url) from None
    if not elements.records:
        raise FetchError(f"no valid element sets in the answer (it begins {begins!r})", url)
    folder.mkdir(parents=True, exist_ok=True)
    data, meta = _paths(group, fmt, folder)
    _write_atomically(data, text)
    result = Fetched(group=group, format=fmt, path=data, url=url, fetched_at=now,
                     n_satellites=len(elements.records), n_skipped=len(elements.skipped),
                     downloaded=True)
    _write_atomically(meta, json.dumps({
        "group": group, "format": fmt, "url": url, "fetched_at": now.isoformat(),
        "n_satellites": result.n_satellites, "n_skipped": result.n_skipped}, indent=1))
    return result


def _download(url: str) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": f"leonet/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            body = answer.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}; CelesTrak asks clients to stop at "
                         f"any error and not retry at once", url) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot reach the server ({reason}); are you offline?", url) from None
    if len(body) > MAX_BODY_BYTES:
        raise FetchError(f"the answer is larger than {MAX_BODY_BYTES // 2**20} MiB", url)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise FetchError("the answer is not UTF-8 text", url) from None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def resolve_fetched(name: str, *, cache_dir: str | os.PathLike[str] | None = None
                    ) -> Path | None:
    """The file of a fetched group named ``name`` (``starlink`` or ``celestrak:starlink``),
    None when ``name`` cannot be a group or was never fetched."""
    group = name.removeprefix(PREFIX)
    if not _GROUP.fullmatch(group):
        return None
    found = cached(group, cache_dir=cache_dir)
    return None if found is None else found.path
