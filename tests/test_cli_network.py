"""`leonet route`, `paths`, `handovers`, `ground-segment` through the real entry point."""

import csv
import itertools
import json
import shutil

import pytest

from leonet.cli import main
from tests.conftest import shared_file


def test_route_exact_form_json_and_plot(tmp_path, capsys):
    png = tmp_path / "rtt.png"
    rc = main(["route", "--from", "Kyiv", "--to", "London", "--start",
               "2026-08-23T00:00:00Z", "--duration", "2m", "--step", "1s", "--mode",
               "operator", "--source", "starlink-gen1", "--json", "--plot", str(png)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["series"]) == 121
    first = out["series"][0]
    assert first["path"][0] == "Kyiv" and first["path"][-1] == "London"
    assert first["path"][-2] == "PoP Frankfurt"
    assert first["rtt_ms"] == pytest.approx(2 * first["one_way_ms"], abs=1e-3)
    assert first["hops"] == len(first["path"]) - 1
    assert out["summary"]["availability"] == 1.0
    assert out["cdf"][-1]["share"] == 1.0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("mode", ["space", "bentpipe", "fibre"])
def test_route_one_instant_text(mode, capsys):
    rc = main(["route", "--from", "Kyiv", "--to", "50.0,14.4", "--start",
               "2026-08-23T00:00:00Z", "--mode", mode])
    assert rc == 0
    out = capsys.readouterr().out
    assert "RTT" in out and "path: Kyiv" in out


def test_route_series_csv(tmp_path, capsys):
    out = tmp_path / "s.csv"
    rc = main(["route", "--from", "Taipei", "--to", "Tokyo", "--start",
               "2026-08-23T00:00:00Z", "--duration", "30s", "--step", "15s", "--out",
               str(out)])
    assert rc == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 and rows[0]["path"].startswith("Taipei|")
    assert "rtt_ms_median" in capsys.readouterr().out


def test_paths_matches_hypatia_at_t0(tmp_path):
    folder = shared_file("hypatia-starlink550/tles.txt").parent
    out = tmp_path / "paths.csv"
    assert main(["paths", "--hypatia-dir", str(folder), "--out", str(out)]) == 0
    ours = {(r["src_gs"], r["dst_gs"]): r for r in csv.DictReader(out.open())}
    assert len(ours) == 9900
    same = 0
    with (folder / "paths_t0.csv").open(encoding="utf-8") as f:
        for ref in csv.DictReader(f):
            row = ours[(ref["src_gs"], ref["dst_gs"])]
            same += row["path"] == ref["path"]
            assert abs(float(row["length_m"]) - float(ref["length_m"])) <= 250.0
            assert row["t_offset_s"] == "0"
    assert same >= 0.999 * 9900


def test_paths_over_a_grid(tmp_path):
    folder = shared_file("hypatia-starlink550/tles.txt").parent
    out = tmp_path / "paths.csv"
    assert main(["paths", "--hypatia-dir", str(folder), "--t-offset", "1.9s", "--duration",
                 "200ms", "--step", "100ms", "--out", str(out)]) == 0
    with out.open() as f:
        header = f.readline().strip()
        t = [line.split(",", 1)[0] for line in f]
    assert header == "t_offset_s,src_gs,dst_gs,length_m,one_way_ms,hops,path"
    assert sorted(set(t)) == ["1.9", "2", "2.1"] and len(t) == 3 * 9900


def test_handovers_json(capsys):
    rc = main(["handovers", "--at", "Kyiv", "--start", "2026-08-23T00:00:00Z", "--duration",
               "5m", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    serving = [s["satellite"] for s in out["schedule"]]
    changes = sum(a != b for a, b in itertools.pairwise(serving))
    assert out["handovers"] == changes == len(out["events"])
    assert out["schedule"][0]["slot_start"].endswith(("12Z", "27Z", "42Z", "57Z"))
    assert all(s["elevation_deg"] >= 25 for s in out["schedule"])


def test_ground_segment_listing(capsys):
    assert main(["ground-segment", "pops", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 20 and all(r["source"] for r in rows)


@pytest.fixture
def broken_hypatia(tmp_path):
    folder = shared_file("hypatia-starlink550/tles.txt").parent
    dst = tmp_path / "hyp"
    dst.mkdir()
    for name in ("tles.txt", "isls.txt", "ground_stations.txt", "description.txt"):
        shutil.copy(folder / name, dst / name)
    with (dst / "isls.txt").open("a") as f:
        f.write("5 1600\n")
    return dst


def test_bad_input_exits_2(tmp_path, broken_hypatia, capsys):
    bad_gw = tmp_path / "gw.csv"
    bad_gw.write_text("name,lat,lon\nOK,10,10\nBad,123.4,10\n")
    cases = [
        (["route", "--from", "Portland", "--to", "London", "--start",
          "2026-08-23T00:00:00Z"], "ambiguous"),
        (["route", "--from", "Kyivv", "--to", "London", "--start",
          "2026-08-23T00:00:00Z"], "did you mean Kyiv"),
        (["route", "--from", "Kyiv", "--to", "London", "--start", "2026-08-23T00:00:00Z",
          "--mode", "carrier-pigeon"], "--mode must be one of"),
        (["route", "--from", "Kyiv", "--to", "London", "--start", "2026-08-23T00:00:00Z",
          "--gateways", str(bad_gw)], "gw.csv:3: impossible coordinates"),
        (["route", "--from", "Kyiv", "--to", "London", "--start", "2026-08-23T00:00:00Z",
          "--plot", str(tmp_path / "x.jpg")], ".png"),
        (["route", "--from", "Kyiv", "--to", "London", "--start", "2026-08-23T00:00:00Z",
          "--pop", "Atlantis"], "no pop named 'Atlantis'"),
        (["paths", "--hypatia-dir", str(broken_hypatia), "--out", str(tmp_path / "p.csv")],
         "1600 (line 3169)"),
        (["paths", "--hypatia-dir", str(tmp_path), "--out", str(tmp_path / "p.csv")],
         "missing tles.txt"),
        (["handovers", "--at", "Kyiv", "--start", "2026-08-23T00:00:00Z", "--strategy",
          "random"], "--strategy must be one of"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        assert message in " ".join(capsys.readouterr().err.split()), argv


def test_disconnected_route_is_no_service(capsys, tmp_path):
    """A terminal far beyond the 53° shells' reach: no service, with the reason."""
    png = tmp_path / "gap.png"
    rc = main(["route", "--from", "-85,0", "--to", "London", "--start",
               "2026-08-23T00:00:00Z", "--duration", "30s", "--step", "15s", "--source",
               "starlink-gen2a", "--json", "--plot", str(png)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert all(s["rtt_ms"] is None for s in out["series"])
    assert out["series"][0]["no_service"].startswith("no satellite above")
    assert out["summary"]["availability"] == 0.0
    assert png.read_bytes()[:4] == b"\x89PNG"  # a plot of gaps, not an error


def test_route_many_terminals_from_a_file(tmp_path, capsys):
    terms = tmp_path / "terminals.csv"
    terms.write_text("name,lat_deg,lon_deg,pop\nFarm,49.0,32.0,London\nBoat,45.0,-30.0,\n"
                     "Pole,-85.0,0.0,\n")
    rc = main(["route", "--terminals", str(terms), "--to", "Frankfurt am Main", "--start",
               "2026-08-23T00:00:00Z", "--duration", "30s", "--step", "15s", "--json"])
    assert rc == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    assert [p["summary"]["source"] for p in pairs] == ["Farm", "Boat", "Pole"]
    assert pairs[0]["summary"]["pop"] == "London"  # the file's pop column wins
    assert pairs[0]["series"][0]["path"][-2] == "PoP London"
    # At 85° S only the 97.6° polar shells of starlink-gen1 are in view.
    assert "97.6deg" in pairs[2]["series"][0]["path"][1]
    assert main(["route", "--terminals", str(terms), "--from", "Kyiv", "--to", "London",
                 "--start", "2026-08-23T00:00:00Z"]) == 2


def test_route_with_links_from_a_file(tmp_path, capsys):
    """A 22-satellite ring of the first plane of the 550 km shell, links from a file."""
    links = tmp_path / "isls.txt"
    links.write_text("".join(f"{j} {(j + 1) % 22}\n" for j in range(22)))
    rc = main(["route", "--from", "Kyiv", "--to", "London", "--start",
               "2026-08-23T00:00:00Z", "--isls", str(links), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["instants"] == 1
    links.write_text("0 1\n1 99999\n")
    assert main(["route", "--from", "Kyiv", "--to", "London", "--start",
                 "2026-08-23T00:00:00Z", "--isls", str(links)]) == 2
    assert "99999 (line 2)" in " ".join(capsys.readouterr().err.split())
