"""``leonet data fetch`` against a local HTTP server on the loopback address (never the
internet): the recorded answer is the ISS element set as published with the sgp4 library's
documentation (hand-checkable: its checksums are verified by the TLE reader)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from sgp4.api import Satrec

from leonet.cli import main
from leonet.physics.orbits import celestrak
from leonet.physics.orbits.constellation import Constellation

ISS_L1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS_L2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"
RECORDED_TLE = f"ISS (ZARYA)\r\n{ISS_L1}\r\n{ISS_L2}\r\n"
RECORDED_OMM = json.dumps([{
    "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "EPOCH": "2019-12-09T16:38:29.363424",
    "MEAN_MOTION": 15.50103472, "ECCENTRICITY": 0.0007417, "INCLINATION": 51.6439,
    "RA_OF_ASC_NODE": 211.2001, "ARG_OF_PERICENTER": 17.6667, "MEAN_ANOMALY": 85.6398,
    "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": 25544,
    "ELEMENT_SET_NO": 999, "REV_AT_EPOCH": 20248, "BSTAR": 3.8792e-05,
    "MEAN_MOTION_DOT": 1.764e-05, "MEAN_MOTION_DDOT": 0}])


class Recorded(BaseHTTPRequestHandler):
    """CelesTrak's gp.php as recorded: the body chosen by the test, every query kept."""

    status = 200
    bodies: ClassVar[dict[str, str]] = {}
    queries: ClassVar[list[dict[str, list[str]]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        type(self).queries.append(query)
        body = type(self).bodies.get(query["FORMAT"][0], "").encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def server(monkeypatch, tmp_path):
    Recorded.status = 200
    Recorded.bodies = {"TLE": RECORDED_TLE, "JSON": RECORDED_OMM}
    Recorded.queries = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/NORAD/elements/gp.php"
    monkeypatch.setenv(celestrak.BASE_URL_ENV, base)
    monkeypatch.setenv(celestrak.DATA_DIR_ENV, str(tmp_path / "cache"))
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_fetch_writes_where_load_finds_it(server, tmp_path, capsys):
    assert main(["data", "fetch", "starlink"]) == 0
    assert Recorded.queries == [{"GROUP": ["starlink"], "FORMAT": ["TLE"]}]
    out = capsys.readouterr().out
    assert "1 satellites" in out and server in out
    sats = Constellation.load("starlink")
    reference = Satrec.twoline2rv(ISS_L1, ISS_L2)
    assert sats.norad_id.tolist() == [25544]
    assert sats.satrecs[0].inclo == reference.inclo and sats.satrecs[0].no_kozai == \
        reference.no_kozai
    meta = json.loads((tmp_path / "cache" / "starlink.tle.meta.json").read_text())
    fetched = dt.datetime.fromisoformat(meta["fetched_at"])
    assert abs((dt.datetime.now(dt.UTC) - fetched).total_seconds()) < 600
    # The CLI finds the group too.
    assert main(["constellation", "info", "starlink", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_sats"] == 1


def test_refetch_within_lifetime_is_refused_unless_forced(server, capsys):
    assert main(["data", "fetch", "starlink"]) == 0
    assert main(["data", "fetch", "starlink"]) == 0
    assert len(Recorded.queries) == 1
    err = capsys.readouterr().err
    assert "next fetch is allowed after" in err and "--force" in err
    assert main(["data", "fetch", "starlink", "--force"]) == 0
    assert len(Recorded.queries) == 2


def test_lifetime_follows_celestrak_two_hours(server, tmp_path):
    t0 = dt.datetime(2026, 12, 5, 0, 0, tzinfo=dt.UTC)
    first = celestrak.fetch_group("starlink", now=t0)
    assert first.downloaded and first.next_fetch_at == t0 + dt.timedelta(hours=2)
    kept = celestrak.fetch_group("starlink", now=t0 + dt.timedelta(minutes=119))
    assert not kept.downloaded and len(Recorded.queries) == 1
    again = celestrak.fetch_group("starlink", now=t0 + dt.timedelta(hours=2))
    assert again.downloaded and len(Recorded.queries) == 2


def test_omm_format_and_prefix_for_groups_named_like_presets(server):
    assert main(["data", "fetch", "oneweb", "--format", "omm"]) == 0
    assert Recorded.queries[-1]["FORMAT"] == ["JSON"]
    # The preset keeps its name: FCC 17-77 filed 18 planes of 40 satellites.
    assert len(Constellation.load("oneweb")) == 18 * 40
    fetched = Constellation.load("celestrak:oneweb")
    assert fetched.norad_id.tolist() == [25544]
    reference = Satrec.twoline2rv(ISS_L1, ISS_L2)
    assert abs(fetched.satrecs[0].inclo - reference.inclo) < 1e-9


@pytest.mark.parametrize(("status", "body", "expected"), [
    (503, "busy", "HTTP 503"),
    (200, "No GP data found", "it begins 'No GP data found'"),
    (200, "<html><body>oops</body></html>", "not TLE or OMM elements"),
])
def test_failures_are_one_line_naming_the_url_and_keep_the_copy(
        server, tmp_path, capfd, status, body, expected):
    assert main(["data", "fetch", "starlink"]) == 0
    path = tmp_path / "cache" / "starlink.tle"
    before = path.read_text()
    Recorded.status, Recorded.bodies = status, {"TLE": body}
    assert main(["data", "fetch", "starlink", "--force"]) == 3
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: " + server) and expected in err[0]
    assert path.read_text() == before


def test_offline_names_the_url(monkeypatch, tmp_path, capfd):
    # A loopback port with nothing listening: a refused connection, as when offline.
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/gp.php"
    monkeypatch.setenv(celestrak.BASE_URL_ENV, url)
    monkeypatch.setenv(celestrak.DATA_DIR_ENV, str(tmp_path))
    assert main(["data", "fetch", "kuiper"]) == 3
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and url in err[0] and "offline" in err[0]


def test_bad_group_and_format_are_input_errors(server, capfd):
    assert main(["data", "fetch", "star link"]) == 2
    assert main(["data", "fetch", "starlink", "--format", "xml"]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--format" in err[1]
    assert Recorded.queries == []


def test_never_fetched_group_says_how_to_fetch(server, capfd):
    assert main(["constellation", "info", "celestrak:kuiper"]) == 2
    assert "leonet data fetch kuiper" in capfd.readouterr().err
