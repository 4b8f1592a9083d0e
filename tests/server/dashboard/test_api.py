"""The dashboard's data API against authorities: positions against skyfield, explanations
against `leonet policy explain`, bad input as problem documents, and the CLI's bad input."""

from __future__ import annotations

import dataclasses
import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load
from skyfield.framelib import itrs

from leonet.cli import main
from leonet.commands.dashboard import bind
from leonet.reporting.palette import palette_for
from leonet.scenario.run import NO_POLICY
from leonet.server.dashboard.view import ScenarioView

ONE_KM = 1.0
START = "2023-10-01T06:00:00Z"


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_positions_match_skyfield_within_one_km(api, view) -> None:
    r = api.get("/api/positions", params={"start": START, "duration_s": 600})
    assert r.status_code == 200, r.text
    shape = tuple(int(s) for s in r.headers["X-Shape"].split(","))
    assert shape == (41, len(view.sats), 3) and r.headers["X-Start"] == START
    pos = np.frombuffer(r.content, dtype="<f4").reshape(shape)
    ts = load.timescale(builtin=True)
    t = ts.utc(2023, 10, 1, 6, 0, np.arange(41) * 15.0)
    for k in np.linspace(0, len(view.sats) - 1, 25).astype(int):
        ref = EarthSatellite.from_satrec(view.sats.satrecs[k], ts).at(t).frame_xyz(itrs).km.T
        assert np.abs(pos[:, k] - ref).max() < ONE_KM


def test_links_are_plus_grid_pairs(api, view) -> None:
    pairs = np.frombuffer(api.get("/api/links").content, dtype="<u4").reshape(-1, 2)
    # starlink-gen1 is filed as Walker shells: +Grid gives each satellite four lasers.
    assert len(pairs) == 2 * len(view.sats)
    assert np.all(np.bincount(pairs.ravel(), minlength=len(view.sats)) == 4)


@pytest.mark.parametrize(("lat", "lon", "time", "policy"), [
    (45.0, 34.0, "2024-03-01T00:00:00Z", "ukraine-2024-occupied.toml"),   # Crimea, denied
    (50.45, 30.52, "2022-03-01T00:00:00Z", "ukraine-2022-activation.toml"),  # Kyiv
    (48.0, 37.8, "2026-02-10T12:00:00Z", "ukraine-2026.toml"),  # Donetsk
])
def test_explain_equals_policy_explain(api, lat, lon, time, policy) -> None:
    r = api.get("/api/explain", params={"time": time, "lat_deg": lat, "lon_deg": lon})
    assert r.status_code == 200, r.text
    assert r.json()["policy_file"] == policy
    code, text = _cli("policy", "explain", "--policy", f"scenarios/{policy}", "--lat", str(lat),
                      "--lon", str(lon), "--time", time)
    assert code == 0 and r.json()["text"] == text.rstrip("\n")


def test_policy_cells_change_across_a_policy_change(api, view) -> None:
    meta = api.get("/api/meta").json()
    names = [r["name"] for r in meta["rules"]]
    # Colours are the report's (leonet.reporting.palette) for the same set of names.
    assert {r["name"]: r["colour"] for r in meta["rules"]} == palette_for(names)

    def rules(time: str) -> np.ndarray:
        r = api.get("/api/policy/decisions", params={"time": time})
        return np.array(names, dtype=object)[np.frombuffer(r.content, np.uint8)]

    before, after = rules("2022-02-20T00:00:00Z"), rules("2023-10-01T00:00:00Z")
    assert set(before) == {NO_POLICY}
    assert "crimea-not-activated" in set(after)
    # The cell holding Simferopol is denied by that rule after 7 Sep 2023.
    centres, _ = view.policy_cells
    near = np.argmin((centres[:, 0] - 44.95) ** 2 + (centres[:, 1] - 34.10) ** 2)
    assert after[near] == "crimea-not-activated"


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/api/positions", {"start": "2099-01-01T00:00:00Z"}, 422),
    ("/api/positions", {"start": "yesterday"}, 422),
    ("/api/positions", {"start": START, "duration_s": 7200}, 422),
    ("/api/explain", {"time": START, "lat_deg": 95, "lon_deg": 0}, 422),
    ("/api/policy/decisions", {"time": START, "version": "1999-01-01"}, 404),
    ("/api/policy/decisions", {"time": "x" * 100}, 422),
])
def test_bad_requests_are_problem_documents(api, path, params, status) -> None:
    r = api.get(path, params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"]


def test_unknown_scenario_and_non_run_folder_exit_2(tmp_path, capsys) -> None:
    assert main(["dashboard", "no-such-scenario"]) == 2
    assert main(["dashboard", str(tmp_path)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "no-such-scenario" in err and "results.json" in err


def test_port_in_use_exits_2_naming_it(capsys) -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    finally:
        taken.close()
    assert f"port {port}" in " ".join(capsys.readouterr().err.split())


def test_a_run_folder_resolves_to_its_scenario(tmp_path, view, capsys) -> None:
    from leonet.commands.dashboard import scenario_path

    scn = view.scenario
    doc = {"scenario": scn.name, "file": scn.path.name, "sha256": scn.digest()}
    (tmp_path / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    assert scenario_path(str(tmp_path)).resolve() == scn.path.resolve()
    (tmp_path / "results.json").write_text(json.dumps({**doc, "sha256": "0" * 64}),
                                           encoding="utf-8")
    assert main(["dashboard", str(tmp_path)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "neither shipped nor beside it unchanged" in err


def test_version_diff_is_the_occupied_cells(api, view) -> None:
    """At 1 Mar 2024, the version in force (2024-02-12) against 2023-09-07 differs exactly on
    cells the new rule `occupied-denied` decides, which were allowed before; Donetsk (held
    since 2014) is one of them."""
    names = np.array([r["name"] for r in api.get("/api/meta").json()["rules"]], dtype=object)
    time = "2024-03-01T00:00:00Z"
    now = names[np.frombuffer(api.get("/api/policy/decisions", params={
        "time": time}).content, np.uint8)]
    old = names[np.frombuffer(api.get("/api/policy/decisions", params={
        "time": time, "version": "2023-09-07"}).content, np.uint8)]
    changed = now != old
    assert set(now[changed]) == {"occupied-denied"}
    assert set(old[changed]) == {"ua-activated"}
    centres, _ = view.policy_cells
    donetsk = np.argmin((centres[:, 0] - 48.0) ** 2 + (centres[:, 1] - 37.8) ** 2)
    assert changed[donetsk]


def test_links_by_shell_follow_the_filed_shells(api, view) -> None:
    """starlink-gen1 as filed (FCC 21-48, SAT-MOD-20200417-00037): 72 x 22 at 53.0°, 53.2°,
    36 x 20 at 70°, 6 x 58 and 4 x 43 at 97.6°. Each shell's +Grid gives its satellites four
    lasers to satellites of the same shell; the shells together are all the links."""
    meta = api.get("/api/meta").json()
    assert meta["shells"] == [72 * 22, 72 * 22, 36 * 20, 6 * 58, 4 * 43]
    assert meta["links_shell"] is None  # 8,816 links: all drawn at first
    every = np.frombuffer(api.get("/api/links").content, "<u4").reshape(-1, 2)
    parts = []
    for k, size in enumerate(meta["shells"]):
        pairs = np.frombuffer(api.get("/api/links", params={"shell": k}).content,
                              "<u4").reshape(-1, 2)
        assert np.all(view.planes.shell[pairs] == k)
        assert len(pairs) == 2 * size
        parts.append(pairs)
    assert sorted(map(tuple, np.concatenate(parts))) == sorted(map(tuple, every))
    r = api.get("/api/links", params={"shell": 5})
    assert r.status_code == 422 and "no shell 5" in r.json()["detail"]


def test_page_opens_the_day_after_the_first_policy(api, view) -> None:
    """ukraine-2022-2026 starts 2022-02-01T12:00Z and its first policy takes effect
    2022-02-26T00:00Z, 24.5 days later: the slider's first whole day after it is day 26."""
    meta = api.get("/api/meta").json()
    assert meta["initial"] == "2022-02-27T12:00:00Z"
    assert meta["window_s"] == 600
    # A scenario whose policy is in force before its start opens at its start.
    early = dataclasses.replace(view.scenario, start_ns=view.scenario.policies[0].from_ns
                                + 86_400 * 10**9)
    assert ScenarioView(early, view.sats, source="").initial_ns == early.start_ns


def test_route_equals_leonet_route(api, view) -> None:
    """Kyiv's serving satellite and route to its PoP every 15 s are `leonet route`'s (operator
    mode, the scenario's elevation mask, to the PoP's own position)."""
    start = "2023-10-01T06:00:00Z"
    r = api.get("/api/route", params={"place": "Kyiv", "start": start, "duration_s": 60})
    assert r.status_code == 200, r.text
    doc = r.json()
    pop = doc["pop"]
    assert pop["name"] == "Frankfurt"
    code, text = _cli("route", "--from", "Kyiv", "--to",
                      f"{pop['lat_deg']},{pop['lon_deg']}", "--start", start,
                      "--duration", "60s", "--step", "15s", "--source", "starlink-gen1",
                      "--min-elevation", str(view.scenario.min_elevation_deg), "--json")
    assert code == 0
    cli = json.loads(text)["series"]
    assert [s["time"] for s in doc["steps"]] == [c["time"] for c in cli]
    for ours, theirs in zip(doc["steps"], cli, strict=True):
        assert ours["rtt_ms"] == pytest.approx(theirs["rtt_ms"], abs=1e-4)  # CLI rounds
        # Ours ends at the PoP; the CLI's goes on to the destination, the PoP's position.
        names = [h["name"] if h["kind"] == "satellite" else f"{h['kind']} {h['name']}"
                 for h in ours["path"][1:]]
        assert names == [n.replace("PoP", "pop") for n in theirs["path"][1:-1]]
        assert ours["path"][1]["index"] == ours["serving"]
        assert view.sats.names[ours["serving"]] == theirs["path"][1]


def test_route_bad_input_is_a_problem(api) -> None:
    for params in ({"place": "Nowhereville", "start": START}, {"place": "Kyiv", "start": START,
                   "duration_s": 601}, {"place": "x" * 101, "start": START}):
        r = api.get("/api/route", params=params)
        assert r.status_code == 422 and r.json()["detail"]
