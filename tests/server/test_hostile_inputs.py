"""Issue 17 D, E, G: a hand-written corpus of hostile and careless requests. Each is answered
with a 4xx problem document naming the field, never a 500, and changes nothing stored."""

from __future__ import annotations

import io
import os
import stat

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from leonet.control.registry import Database
from leonet.control.registry.tokens import parse_token
from leonet.server.main import create_app
from leonet.server.settings import Settings

from .conftest import auth
from .test_decisions import KYIV, T, _activate

ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"


def _problem(response, status: int, names: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    if names is not None:
        assert names in body["detail"], body
    return body


def _ipc(table: pa.Table, compression: str | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _parquet(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def _rows(n: int = 1, **columns) -> pa.Table:
    base = {"terminal_id": ["UT-C"] * n, "lat_deg": [KYIV[0]] * n, "lon_deg": [KYIV[1]] * n,
            "time": pa.array([1_770_724_800] * n, pa.timestamp("s", tz="UTC")),
            "alt_m": [0.0] * n, "speed_kmh": [0.0] * n}
    base.update(columns)
    return pa.table(base)


# -- D: no 500s ------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [b"Bearer lnt_\xb2_x", b"Bearer lnt_\xd9\xa1_x",
                                    b"Bearer lnt_99999999999999999999_x"])
def test_a_token_with_non_ascii_digits_is_401(client, header):
    response = client.get("/v1/me", headers={b"Authorization": header})
    _problem(response, 401, "invalid")
    assert parse_token(header.decode("latin-1").split()[1]) is None  # int("²") raised


@pytest.mark.parametrize("path", ["/v1/decisions", "/v1/telemetry"])
def test_arrow_timestamps_past_2262_are_422_naming_time(client, world, path):
    _activate(client, world)
    table = _rows(time=pa.array([253_402_300_799], pa.timestamp("s", tz="UTC")))  # 9999-12-31
    response = client.post(path, content=_ipc(table), headers={
        **auth(world["support"]), "Content-Type": ARROW})
    if path == "/v1/decisions":
        _problem(response, 422, "/time: ")
    else:  # telemetry: the row is refused with its reason, nothing else to store
        body = _problem(response, 422)
        assert "representable range" in str(body)


@pytest.mark.parametrize("value,kind", [(2**60, pa.int64()), (2**64 - 1, pa.uint64())])
def test_integer_coordinates_past_2_53_are_422(client, world, value, kind):
    _activate(client, world)
    table = _rows(lat_deg=pa.array([value], kind))
    _problem(client.post("/v1/decisions", content=_ipc(table), headers={
        **auth(world["support"]), "Content-Type": ARROW}), 422, "/lat_deg")
    response = client.post("/v1/telemetry", content=_parquet(table), headers={
        **auth(world["support"]), "Content-Type": PARQUET})
    body = _problem(response, 422)
    assert "latitude" in str(body)


@pytest.mark.parametrize("path,media", [("/v1/decisions", ARROW), ("/v1/telemetry", ARROW),
                                        ("/v1/telemetry", PARQUET)])
def test_duplicate_column_names_are_422(client, world, path, media):
    table = pa.Table.from_arrays([pa.array(["UT-C"]), pa.array([1.0]), pa.array([2.0]),
                                  pa.array([1.0]),
                                  pa.array([1_770_724_800], pa.timestamp("s", tz="UTC")),
                                  pa.array([0.0]), pa.array([0.0])],
                                 names=["terminal_id", "lat_deg", "lon_deg", "lat_deg", "time",
                                        "alt_m", "speed_kmh"])
    body = _ipc(table) if media == ARROW else _parquet(table)
    _problem(client.post(path, content=body, headers={
        **auth(world["support"]), "Content-Type": media}), 422, "/lat_deg: the column appears")


@pytest.mark.parametrize("media", [ARROW, PARQUET])
def test_a_null_terminal_id_in_telemetry_costs_its_row(client, world, media):
    table = _rows(2, terminal_id=pa.array(["UT-C", None]))
    body = _ipc(table) if media == ARROW else _parquet(table)
    response = client.post("/v1/telemetry", content=body, headers={
        **auth(world["support"]), "Content-Type": media})
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["rows_stored"] == 1 and out["issues"][0]["row"] == 1


def test_query_windows_past_2262_are_open_and_before_1677_refused(client, world):
    headers = auth(world["admin"])
    assert client.get("/v1/telemetry", params={"end": "9999-01-01T00:00:00Z",
                                               "terminal_id": "UT-C"},
                      headers=headers).status_code == 200
    _problem(client.get("/v1/telemetry", params={"end": "1000-01-01T00:00:00Z"},
                        headers=headers), 422, "query:end")
    _problem(client.get("/v1/telemetry", params={"start": "9000-01-01T00:00:00Z"},
                        headers=headers), 422, "representable range")
    assert client.post("/v1/detections", json={"end": "9999-01-01T00:00:00Z"},
                       headers=headers).status_code == 201
    _problem(client.post("/v1/detections", json={"start": "9999-01-01T00:00:00Z"},
                         headers=headers), 422, "/start")


@pytest.mark.parametrize("document,fmt", [('{"a": ' * 3000 + "1" + "}" * 3000, "json"),
                                          ("a = " + "[" * 5000 + "]" * 5000, "toml")])
def test_deeply_nested_policy_documents_are_422(client, world, document, fmt):
    response = client.post("/v1/policies", json={"document": document, "format": fmt},
                           headers=auth(world["policy_author"]))
    _problem(response, 422, "nested")


def test_a_policy_until_9999_is_stored_as_no_end_and_still_denies(client, world):
    document = ('version = "forever"\ndefault = "allow"\n[[rules]]\nid = "no-kyiv"\n'
                'effect = "deny"\nregions = ["UA"]\nuntil = "9999-12-31T23:59:59Z"\n')
    r = client.post("/v1/policies", json={"document": document},
                    headers=auth(world["policy_author"]))
    assert r.status_code == 201, r.text
    assert client.post(f"/v1/policies/{r.json()['id']}/activate", json={"reason": "t"},
                       headers=auth(world["policy_approver"])).status_code == 200
    decision = client.post("/v1/decisions", json={
        "terminal_id": "UT-C", "time": T, "lat_deg": KYIV[0], "lon_deg": KYIV[1]},
        headers=auth(world["support"]))
    assert decision.status_code == 200 and decision.json()["allowed"] is False
    bad = document.replace("until", "from")
    _problem(client.post("/v1/policies", json={"document": bad},
                         headers=auth(world["policy_author"])), 422, "from")


# -- E: resources ------------------------------------------------------------------------------

@pytest.mark.parametrize("path,media", [("/v1/decisions", ARROW), ("/v1/telemetry", ARROW),
                                        ("/v1/telemetry", PARQUET)])
def test_compressed_bombs_are_refused_before_decompressing(client, world, path, media):
    n = 20_000_000  # ~28 KB zstd Arrow, ~0.3 MB Parquet; 550 MB to 0.9 GB once read
    table = pa.table({"terminal_id": pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, np.int32)), pa.array(["UT-C"])),
        "time": pa.array(np.full(n, 1_770_724_800, np.int64)).cast(
            pa.timestamp("s", tz="UTC")),
        "lat_deg": np.zeros(n), "lon_deg": np.zeros(n)})
    body = _ipc(table, "zstd") if media == ARROW else _parquet(table)
    del table
    response = client.post(path, content=body, headers={
        **auth(world["support"]), "Content-Type": media})
    _problem(response, 413, "20,000,000 rows")


def test_a_body_without_a_valid_token_is_refused_unread(client):
    def endless():  # would never finish: answered before it is read
        raise AssertionError("the body was read")
        yield b""

    response = client.post("/v1/terminals", content=endless(),
                           headers={"Content-Type": "application/json"})
    _problem(response, 401)


def test_each_route_has_a_body_limit_that_fits_it(client, world):
    big = b'{"reason": "' + b"x" * 100_000 + b'"}'
    _problem(client.patch("/v1/terminals/UT-A", content=big, headers={
        **auth(world["support"]), "If-Match": '"1"', "Content-Type": "application/json"}),
        413, "65536 bytes for PATCH /v1/terminals/UT-A")


# -- G: smaller ------------------------------------------------------------------------------

def test_transfers_need_if_match(client, world):
    headers = auth(world["support"])
    body = {"terminal_id": "UT-C", "to_account_id": "ACC-2"}
    _problem(client.post("/v1/transfers", json=body, headers=headers), 428)
    _problem(client.post("/v1/transfers", json=body,
                         headers={**headers, "If-Match": '"7"'}), 412)
    assert client.post("/v1/transfers", json=body,
                       headers={**headers, "If-Match": '"1"'}).status_code == 201


def test_if_match_follows_rfc_9110(client, world):
    headers = auth(world["support"])
    patch = {"status": "suspended", "reason": "test"}
    _problem(client.patch("/v1/terminals/UT-A", json=patch,
                          headers={**headers, "If-Match": 'W/"1"'}), 412, "weak")
    _problem(client.patch("/v1/terminals/UT-A", json=patch,
                          headers={**headers, "If-Match": "1"}), 400)
    r = client.patch("/v1/terminals/UT-A", json=patch, headers={**headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    r = client.patch("/v1/terminals/UT-A", json={"status": "active", "reason": "t"},
                     headers={**headers, "If-Match": f'W/"0", {r.headers["etag"]}'})
    assert r.status_code == 200, r.text


def test_telemetry_ranges(client, world):
    columns = {"terminal_id": ["UT-C"] * 4,
               "time": ["2026-02-10T12:00:00+23:59", "2026-02-10T12:00:01Z",
                        "2026-02-10T12:00:02Z", "2026-02-10T12:00:03Z"],
               "lat_deg": [KYIV[0]] * 4, "lon_deg": [KYIV[1]] * 4, "alt_m": [0] * 4,
               "speed_kmh": [0] * 4, "serving_sat": [1, 1.5e300, -1, 1.5],
               "heading_deg": [0, 0, 1e299, 0]}
    r = client.post("/v1/telemetry", json={"columns": columns},
                    headers=auth(world["support"]))
    assert r.status_code == 201, r.text
    issues = {(i["row"], i["field"]): i for i in r.json()["issues"]}
    assert issues[(0, "time")]["dropped"] and "offset" in issues[(0, "time")]["reason"]
    assert "0..999999999" in issues[(1, "serving_sat")]["reason"]
    assert (3, "serving_sat") in issues  # 1.5 is no satellite, not satellite 1
    assert "outside 0..360" in issues[(2, "heading_deg")]["reason"]


def test_sqlite_file_is_created_owner_only(tmp_path):
    path = tmp_path / "fresh.db"
    Database(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_docs_and_openapi_can_be_closed(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}", docs=False,
                        telemetry_dir=str(tmp_path / "t"))
    app = create_app(settings)
    with TestClient(app) as closed:
        assert closed.get("/openapi.json").status_code == 404
        assert closed.get("/docs").status_code == 404
    app.state.leonet.db.dispose()
