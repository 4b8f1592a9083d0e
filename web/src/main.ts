// The dashboard: a deck.gl globe with the satellites, their laser links, gateways and PoPs,
// country outlines, and the policy in force at the slider's instant on H3 cells.
// Layers keep their ids and their data arrays: each frame rewrites the position buffers in
// place and bumps `updateTriggers`, so deck.gl re-uploads attributes and never rebuilds a layer.
import { Deck, _GlobeView as GlobeView, type LayersList, type PickingInfo, type Position } from "@deck.gl/core";
import { LineLayer, PathLayer, ScatterplotLayer, SolidPolygonLayer } from "@deck.gl/layers";
import { ApiError, getArray, getJson } from "./binary";
import { hexToRgba, type RGBA } from "./colour";
import { ecefToGlobe, linkEnds, samplePosition } from "./geo";

interface Rule { name: string; colour: string; allowed: boolean | null }
interface PolicyInfo { version: string; file: string; from: string; event: string }
interface Meta {
  scenario: string; title: string; source: string; start: string; end: string; span: [string, string];
  slot_s: number; max_window_s: number; n_sats: number; policies: PolicyInfo[]; rules: Rule[];
}
interface Site { name: string; lat_deg: number; lon_deg: number }
interface Explanation { text: string; policy_version: string; policy_file: string; time: string }

// The sky moves a minute per second of wall time: an orbit in about 95 s.
const SKY_SECONDS_PER_SECOND = 60;
const DAY_MS = 86_400_000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What tests and benchmarks read: frames drawn, satellites drawn, the last error. */
const state = { frames: 0, satellites: 0, ready: false, error: "", policyVersion: "", cellsVersion: 0 };
(window as unknown as { leonet: typeof state }).leonet = state;

function showError(err: unknown): void {
  const text = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  state.error = text;
  const box = $("message");
  box.textContent = text;
  box.hidden = false;
}

function dayToIso(startMs: number, day: number): string {
  return new Date(startMs + day * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function main(): Promise<void> {
  const meta = await getJson<Meta>("api/meta");
  $("title").textContent = meta.title;
  $("subtitle").textContent = `${meta.n_sats.toLocaleString("en")} satellites (${meta.source})`;
  const colours: RGBA[] = meta.rules.map((r) => hexToRgba(r.colour, 150));
  $("legend").replaceChildren(...meta.rules.map((r) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.style.background = r.colour;
    li.append(sw, `${r.name}${r.allowed === false ? " (denied)" : r.allowed ? " (allowed)" : ""}`);
    return li;
  }));
  for (const p of meta.policies) $("compare").append(new Option(p.version, p.version));

  const startMs = Date.parse(meta.start);
  const slider = $<HTMLInputElement>("time");
  slider.max = String(Math.floor((Date.parse(meta.end) - startMs) / DAY_MS));
  const firstPolicy = meta.policies.length ? Date.parse(meta.policies[0].from) : startMs;
  slider.value = String(Math.ceil((firstPolicy - startMs) / DAY_MS) + 1);
  $("events").replaceChildren(...meta.policies.map((p) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = `${p.from.slice(0, 10)} ${p.event}`;
    b.title = `${p.version} (${p.file})`;
    b.onclick = () => {
      slider.value = String(Math.ceil((Date.parse(p.from) - startMs) / DAY_MS) + 1);
      void onTime();
    };
    return b;
  }));

  const [outlines, outlineStarts, cellRings, cellStarts, links, ground] = await Promise.all([
    getArray("api/outlines", (b) => new Float32Array(b)),
    getArray("api/outlines/starts", (b) => new Uint32Array(b)),
    getArray("api/policy/cells", (b) => new Float32Array(b)),
    getArray("api/policy/cells/starts", (b) => new Uint32Array(b)),
    getArray("api/links", (b) => new Uint32Array(b)),
    getJson<Record<string, Site[]>>("api/ground"),
  ]);
  const cells = cellPolygons(cellRings.array, cellStarts.array);
  let cellRule = new Uint8Array(cells.length);
  let compareRule: Uint8Array | null = null;

  const n = meta.n_sats;
  const satPos = new Float32Array(3 * n);
  const nLinks = links.array.length / 2;
  const linkSrc = new Float32Array(3 * nLinks);
  const linkDst = new Float32Array(3 * nLinks);
  let window0: Float32Array | null = null;
  let nSamples = 0;
  let skyT0 = performance.now();

  const deck = new Deck({
    parent: $<HTMLDivElement>("globe"),
    views: new GlobeView({ id: "globe" }),
    initialViewState: { longitude: 31, latitude: 48, zoom: 1.2 },
    controller: true,
    onClick: (info: PickingInfo) => {
      if (info.coordinate) void explainAt(info.coordinate[1], info.coordinate[0]);
    },
  });

  const earth = new SolidPolygonLayer({
    id: "earth", data: [[[-180, 90], [0, 90], [180, 90], [180, -90], [0, -90], [-180, -90]]],
    getPolygon: (d: Position[]) => d, getFillColor: [16, 32, 56, 255], pickable: true,
  });
  const outlineLayer = new PathLayer({
    id: "outlines",
    data: { length: outlineStarts.array.length, startIndices: outlineStarts.array,
      attributes: { getPath: { value: outlines.array, size: 2 } } },
    _pathType: "open", getColor: [170, 190, 210, 200], getWidth: 1, widthUnits: "pixels",
  });
  const groundLayer = new ScatterplotLayer<Site & { kind: string }>({
    id: "ground", data: Object.entries(ground).flatMap(([kind, sites]) => sites.map((s) => ({ ...s, kind }))),
    getPosition: (s) => [s.lon_deg, s.lat_deg, 0], radiusUnits: "pixels", getRadius: 3,
    getFillColor: (s) => (s.kind === "pop" ? [255, 215, 0, 255] : [0, 200, 255, 220]),
  });

  function layers(): LayersList {
    const showLinks = $<HTMLInputElement>("show-links").checked;
    const checked = (id: string): boolean => $<HTMLInputElement>(id).checked;
    const shown = compareRule ?? cellRule;
    return [
      earth,
      new SolidPolygonLayer<Position[]>({
        id: "policy", data: cells, getPolygon: (d) => d, pickable: true, visible: checked("show-policy"),
        getFillColor: (_d, { index }) => (compareRule && compareRule[index] === cellRule[index]
          ? [0, 0, 0, 0] : colours[shown[index]]),
        updateTriggers: { getFillColor: state.cellsVersion },
      }),
      outlineLayer.clone({ visible: checked("show-outlines") }),
      groundLayer,
      new LineLayer({
        id: "links", visible: showLinks,
        data: { length: nLinks, attributes: {
          getSourcePosition: { value: linkSrc, size: 3 }, getTargetPosition: { value: linkDst, size: 3 } } },
        getColor: [80, 160, 255, 90], getWidth: 1,
        updateTriggers: { getSourcePosition: state.frames, getTargetPosition: state.frames },
      }),
      new ScatterplotLayer({
        id: "satellites",
        data: { length: n, attributes: { getPosition: { value: satPos, size: 3 } } },
        radiusUnits: "pixels", getRadius: 1.6, getFillColor: [255, 255, 255, 230],
        updateTriggers: { getPosition: state.frames },
      }),
    ];
  }

  async function explainAt(lat: number, lon: number): Promise<void> {
    try {
      const t = dayToIso(startMs, Number(slider.value));
      const e = await getJson<Explanation>(
        `api/explain?time=${encodeURIComponent(t)}&lat_deg=${lat}&lon_deg=${lon}`);
      $("explain").textContent = e.text;
      $<HTMLInputElement>("lat").value = lat.toFixed(4);
      $<HTMLInputElement>("lon").value = lon.toFixed(4);
    } catch (err) {
      showError(err);
    }
  }
  $("explain-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void explainAt(Number($<HTMLInputElement>("lat").value), Number($<HTMLInputElement>("lon").value));
  });

  async function loadSky(t: string): Promise<void> {
    const r = await getArray(`api/positions?start=${encodeURIComponent(t)}&duration_s=${meta.max_window_s}`,
      (b) => new Float32Array(b));
    window0 = r.array;
    nSamples = r.shape[0];
    skyT0 = performance.now();
  }

  async function onTime(): Promise<void> {
    const t = dayToIso(startMs, Number(slider.value));
    $("time-label").textContent = t;
    try {
      const compare = $<HTMLSelectElement>("compare").value;
      const [dec, other] = await Promise.all([
        getArray(`api/policy/decisions?time=${encodeURIComponent(t)}`, (b) => new Uint8Array(b)),
        compare ? getArray(`api/policy/decisions?time=${encodeURIComponent(t)}&version=${encodeURIComponent(compare)}`,
          (b) => new Uint8Array(b)) : Promise.resolve(null),
      ]);
      cellRule = dec.array;
      compareRule = other ? other.array : null;
      const k = Number(dec.headers.get("X-Policy"));
      state.policyVersion = k >= 0 ? meta.policies[k].version : "";
      $("policy-label").textContent = k >= 0
        ? `In force: ${meta.policies[k].version} (${meta.policies[k].event})` : "No policy in force";
      state.cellsVersion++;
      await loadSky(t);
      $("message").hidden = true;
    } catch (err) {
      showError(err);
    }
  }
  slider.addEventListener("change", () => void onTime());
  slider.addEventListener("input", () => { $("time-label").textContent = dayToIso(startMs, Number(slider.value)); });
  $("compare").addEventListener("change", () => void onTime());
  await onTime();

  function frame(now: number): void {
    if (window0 && nSamples > 0) {
      const tS = ((now - skyT0) / 1000) * SKY_SECONDS_PER_SECOND;
      const { k, f } = samplePosition(tS, meta.slot_s, nSamples);
      const a = window0.subarray(3 * n * k, 3 * n * (k + 1));
      const b = nSamples > 1 ? window0.subarray(3 * n * (k + 1), 3 * n * (k + 2)) : a;
      state.satellites = ecefToGlobe(a, b, f, satPos);
      if ($<HTMLInputElement>("show-links").checked) linkEnds(satPos, links.array, linkSrc, linkDst);
    }
    state.frames++;
    deck.setProps({ layers: layers() });
    state.ready = true;
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}

/** Each cell's ring as a closed lon/lat polygon. */
function cellPolygons(rings: Float32Array, starts: Uint32Array): Position[][] {
  const nVertices = rings.length / 2;
  return Array.from(starts, (s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : nVertices;
    const ring: Position[] = [];
    for (let v = s; v < end; v++) ring.push([rings[2 * v], rings[2 * v + 1]]);
    return ring;
  });
}

main().catch(showError);
