// The dashboard: a deck.gl globe with the satellites, their laser links, gateways and PoPs,
// country outlines, and the policy in force at the slider's instant on H3 cells.
// The sky arrives as windows of 15-s Earth-fixed samples (raw float32, 10 minutes each, fetched
// ahead of the clock); a frame only moves the sky layer's `fraction` (see sky-layer.ts). The
// other layers are rebuilt only when the policy answer, the coverage colours, the terminals or a
// switch change. Coverage and terminals load after the first frame (the server replays the
// scenario and computes coverage on demand).
import type { Layer, PickingInfo, Position } from "@deck.gl/core";
import { PathLayer, ScatterplotLayer, SolidPolygonLayer } from "@deck.gl/layers";
import { ApiError, getArray, getJson } from "./binary";
import { figureRow, figureTable, vertexColours, type CoverageClass, type Figure } from "./coverage";
import { hexToRgba, type RGBA } from "./colour";
import { createGlobe } from "./globe";
import { ecefToLonLatHeight, satelliteAt, segmentIndices, slotAt, windowStart } from "./geo";
import { MeshLayer, uniformColours } from "./mesh-layer";
import { routeCaption, type Hop, type Routes } from "./route";
import { SkyLayer } from "./sky-layer";
import { terminalAttributes, type TerminalAttributes } from "./terminals";
import { dayOnOrAfter, drawMarks, drawServed, moveCursor, type ScenarioEvent, type Served } from "./timeline";

interface Rule { name: string; colour: string; allowed: boolean | null }
interface PolicyInfo { version: string; file: string; from: string; event: string }
interface Meta {
  scenario: string; title: string; source: string; start: string; end: string; span: [string, string];
  initial: string;
  slot_s: number; max_window_s: number; window_s: number; n_sats: number;
  shells: number[]; links_shell: number | null; policies: PolicyInfo[]; rules: Rule[];
  coverage: { figures: Figure[]; classes: CoverageClass[]; resolutions: number[]; region: string; res: number };
}
interface TerminalIds { ids: string[]; groups: string[]; suspended_from: (string | null)[] }
interface TerminalExplanation { terminal_id: string; group: string; time: string; text: string; rule: string }
interface Incident { terminal_id: string; kind: string; start: string; evidence: string; window: string }
interface Site { name: string; lat_deg: number; lon_deg: number }
interface Decisions { array: Uint8Array; headers: Headers }
interface Explanation { text: string; policy_version: string; policy_file: string; time: string }

// The sky moves a minute per second of wall time: an orbit in about 95 s.
const SKY_SECONDS_PER_SECOND = 60;
const DAY_MS = 86_400_000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What tests and benchmarks read: frames drawn, satellites drawn, the last error. */
const state = { frames: 0, satellites: 0, ready: false, error: "", policyVersion: "", cellsVersion: 0,
  /** Coverage colour updates, cells drawn and the query they show; terminals' timeline instant
   *  and their count. */
  coverageVersion: 0, coverageCells: 0, coverageShown: "", terminalsInstant: "", terminalsShown: 0, terminalsReady: false,
  /** RGBA of a terminal (by id) as drawn, or null when not shown. */
  terminalColour: null as ((id: string) => number[] | null) | null,
  /** performance.now() (ms since the page was requested) of the first render's steps. */
  timings: {} as Record<string, number> };
function mark(step: string): void {
  state.timings[step] ??= Math.round(performance.now());
}
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
  mark("script");
  const meta = await getJson<Meta>("api/meta");
  mark("meta");
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
  const endMs = Date.parse(meta.end);
  const slider = $<HTMLInputElement>("time");
  slider.max = String(Math.floor((Date.parse(meta.end) - startMs) / DAY_MS));
  slider.value = String(Math.round((Date.parse(meta.initial) - startMs) / DAY_MS));
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

  const windowMs = meta.window_s * 1000;
  const stepMs = meta.slot_s * 1000;
  const spanEndMs = Date.parse(meta.span[1]);
  const n = meta.n_sats;
  /** The sky windows in memory (start ms → float32 (samples, n, 3) km), loaded or loading. */
  const windows = new Map<number, Float32Array>();
  const pending = new Map<number, Promise<void>>();
  const sky = { ms: 0, startMs: 0, data: null as Float32Array | null, k: -1,
    before: new Float32Array(0) as Float32Array, after: new Float32Array(0) as Float32Array };

  function loadDecisions(t: string): Promise<Decisions> {
    return getArray(`api/policy/decisions?time=${encodeURIComponent(t)}`, (b) => new Uint8Array(b));
  }

  async function loadLinks(shell: number | null): Promise<Uint32Array> {
    const query = shell === null ? "" : `?shell=${shell}`;
    return (await getArray(`api/links${query}`, (b) => new Uint32Array(b))).array;
  }

  /** The picked place's routes over one window (the sky's), fetched when the clock leaves it. */
  const route = { place: "", startMs: NaN, routes: null as Routes | null, pending: false, shown: "" };
  async function loadRoute(place: string, startMs: number): Promise<void> {
    route.pending = true;
    try {
      const iso = new Date(startMs).toISOString().replace(/\.\d{3}Z$/, "Z");
      route.routes = await getJson<Routes>(`api/route?place=${encodeURIComponent(place)}`
        + `&start=${encodeURIComponent(iso)}&duration_s=${meta.window_s}`);
      route.place = place;
      route.startMs = startMs;
      $("message").hidden = true;
    } catch (err) {
      showError(err);
      route.place = "";
      route.routes = null;
    } finally {
      route.pending = false;
    }
  }

  /** The route layer and its caption at the sky's instant (sample `k` of window `w`, `f` on). */
  function routeLayer(w: number, k: number, f: number): PathLayer<Hop[]> | null {
    if (!route.routes || route.pending) return null;
    const i = Math.round((w + k * stepMs - route.startMs) / stepMs);
    const step = route.routes.steps[i];
    if (!step) {
      void loadRoute(route.place, w);
      return null;
    }
    if (route.shown !== `${route.place} ${step.time}`) {
      route.shown = `${route.place} ${step.time}`;
      $("route-label").textContent = routeCaption(route.routes.place.name, step);
    }
    const at = (h: Hop): Position => (h.kind === "satellite"
      ? ecefToLonLatHeight(...satelliteAt(sky.before, sky.after, h.index, f))
      : [h.lon_deg ?? 0, h.lat_deg ?? 0, 0]);
    return new PathLayer<Hop[]>({
      id: "route", data: [step.path], getPath: (p) => p.map(at), getColor: [255, 200, 40, 255],
      getWidth: 2, widthUnits: "pixels", updateTriggers: { getPath: [i, f] },
    });
  }

  function loadWindow(startMs: number): Promise<void> {
    if (windows.has(startMs)) return Promise.resolve();
    const known = pending.get(startMs);
    if (known) return known;
    const iso = new Date(startMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    const p = getArray(`api/positions?start=${encodeURIComponent(iso)}&duration_s=${meta.window_s}`,
      (b) => new Float32Array(b))
      .then((r) => { windows.set(startMs, r.array); })
      .catch((err: unknown) => { showError(err); })
      .finally(() => { pending.delete(startMs); });
    pending.set(startMs, p);
    return p;
  }

  // The static layers' data, the first policy answer and the first window of the sky all at
  // once: the first frame needs them all.
  const initialMs = Date.parse(meta.initial);
  const firstDecisions = loadDecisions(meta.initial);
  const [outlines, outlineStarts, cellRings, cellStarts, links, ground] = await Promise.all([
    getArray("api/outlines", (b) => new Float32Array(b)),
    getArray("api/outlines/starts", (b) => new Uint32Array(b)),
    getArray("api/policy/cells", (b) => new Float32Array(b)),
    getArray("api/policy/cells/starts", (b) => new Uint32Array(b)),
    loadLinks(meta.links_shell),
    getJson<Record<string, Site[]>>("api/ground"),
    loadWindow(windowStart(initialMs, windowMs)),
  ]);
  mark("data");
  let linkPairs = links;
  const shellSelect = $<HTMLSelectElement>("links-shell");
  meta.shells.forEach((size, k) => shellSelect.append(new Option(`shell ${k} (${size.toLocaleString("en")} satellites)`, String(k))));
  shellSelect.value = meta.links_shell === null ? "" : String(meta.links_shell);
  shellSelect.addEventListener("change", () => {
    loadLinks(shellSelect.value === "" ? null : Number(shellSelect.value))
      .then((pairs) => { linkPairs = pairs; }, showError);
  });
  const cells = cellPolygons(cellRings.array, cellStarts.array);
  let cellRule: Uint8Array = new Uint8Array(cells.length);
  let compareRule: Uint8Array | null = null;

  // Coverage: the region's mesh once, then one byte per cell (per 15-s sample for in_view) per
  // sky window; a change of sample rewrites the colour buffer only. These loads run in the
  // background, so they never hide a message the user's own request put up.
  const cov = { mesh: null as { lonLat: Float32Array; triangles: Uint32Array; cellOfVertex: Uint32Array } | null,
    values: null as { array: Uint8Array; rows: number; startMs: number; stepMs: number; key: string } | null,
    colors: new Uint8Array(0) as Uint8Array, table: new Uint8Array(0) as Uint8Array, row: -1, loading: "", key: "" };
  const coverageKey = (): string => {
    const region = $<HTMLInputElement>("coverage-region").value.trim();
    return `region=${encodeURIComponent(region)}&res=${$<HTMLSelectElement>("coverage-res").value}`;
  };
  async function loadCoverageMesh(): Promise<void> {
    const key = coverageKey();
    cov.mesh = null;
    cov.values = null;
    cov.key = key;
    $("coverage-label").textContent = "loading cells…";
    try {
      const [v, t, c] = await Promise.all([
        getArray(`api/coverage/mesh?${key}&part=vertices`, (b) => new Float32Array(b)),
        getArray(`api/coverage/mesh?${key}&part=triangles`, (b) => new Uint32Array(b)),
        getArray(`api/coverage/mesh?${key}&part=cells`, (b) => new Uint32Array(b)),
      ]);
      if (cov.key !== key) return;
      cov.mesh = { lonLat: v.array, triangles: t.array, cellOfVertex: c.array };
      cov.colors = new Uint8Array(4 * c.array.length);
      state.coverageCells = Number(v.headers.get("X-Cells"));
      cov.row = -1;
    } catch (err) {
      $("coverage-label").textContent = "";
      showError(err);
    }
  }
  /** Colours for the sky's instant `ms`; fetches the figure of the window when it is missing. */
  function updateCoverage(ms: number): void {
    if (!cov.mesh || !checked("show-coverage")) return;
    const figure = $<HTMLSelectElement>("coverage-figure").value as Figure;
    const w = windowStart(ms, windowMs);
    const key = `${cov.key}&figure=${figure}`;
    if (!cov.values || cov.values.key !== key || cov.values.startMs !== w) {
      const want = `${key}@${w}`;
      if (cov.loading === want) return;
      cov.loading = want;
      $("coverage-label").textContent = figure === "availability" ? "computing availability (capacity)…" : "computing…";
      getArray(`api/coverage?${key}&time=${encodeURIComponent(new Date(w).toISOString().replace(/\.\d{3}Z$/, "Z"))}`,
        (b) => new Uint8Array(b))
        .then((r) => {
          if (cov.loading !== want) return;
          cov.values = { array: r.array, rows: r.shape[0], startMs: Date.parse(r.headers.get("X-Start") ?? ""),
            stepMs: 1000 * Number(r.headers.get("X-Step-S")), key };
          cov.table = figureTable(figure, meta.coverage.classes);
          cov.row = -1;
          $("coverage-label").textContent = `${state.coverageCells.toLocaleString("en")} cells, ${figure.replace("_", " ")}`;
        }, (err: unknown) => { $("coverage-label").textContent = ""; showError(err); })
        .finally(() => { if (cov.loading === want) cov.loading = ""; });
      return;
    }
    const v = cov.values;
    const row = figureRow(v.rows, v.startMs, v.stepMs, ms);
    if (row === cov.row) return;
    cov.row = row;
    const nCells = v.array.length / v.rows;
    vertexColours(v.array.subarray(row * nCells, (row + 1) * nCells), cov.mesh.cellOfVertex, cov.table, cov.colors);
    state.coverageVersion++;
    state.coverageShown = v.key;
    rebuildMap();
  }

  // Terminals at the slider's instant (the scenario's replay, on the server), coloured by rule.
  const terms = { attrs: null as TerminalAttributes | null, ids: null as TerminalIds | null, version: 0, asked: "" };
  const ruleColours: RGBA[] = meta.rules.map((r) => hexToRgba(r.colour, 255));
  async function loadTerminals(t: string): Promise<void> {
    terms.asked = t;
    try {
      const r = await getArray(`api/terminals?time=${encodeURIComponent(t)}`, (b) => new Float32Array(b));
      if (terms.asked !== t) return;
      const g = $<HTMLSelectElement>("terminal-group").value;
      terms.attrs = terminalAttributes(r.array, ruleColours, g === "" ? null : Number(g));
      terms.version++;
      state.terminalsInstant = r.headers.get("X-Instant") ?? "";
      state.terminalsShown = terms.attrs.terminal.length;
      $("terminals-label").textContent = `${state.terminalsShown.toLocaleString("en")} terminals switched on at ${state.terminalsInstant || "—"}`;
      rebuildMap();
    } catch (err) {
      showError(err);
    }
  }
  state.terminalColour = (id: string): number[] | null => {
    if (!terms.attrs || !terms.ids) return null;
    const k = terms.ids.ids.indexOf(id);
    const i = terms.attrs.terminal.indexOf(k);
    return i < 0 ? null : Array.from(terms.attrs.colors.subarray(4 * i, 4 * i + 4));
  };
  async function explainTerminal(id: string): Promise<void> {
    try {
      const t = dayToIso(startMs, Number(slider.value));
      const e = await getJson<TerminalExplanation>(`api/terminals/${encodeURIComponent(id)}/explain?time=${encodeURIComponent(t)}`);
      $("explain").textContent = `Terminal ${e.terminal_id} (${e.group}) at ${e.time}:\n${e.text}`;
      $("message").hidden = true;
    } catch (err) {
      showError(err);
    }
  }

  const globe = createGlobe($<HTMLDivElement>("globe"), {
    onClick: (info: PickingInfo) => {
      if (info.layer?.id === "terminals" && terms.attrs && terms.ids && info.index >= 0) {
        void explainTerminal(terms.ids.ids[terms.attrs.terminal[info.index]]);
      } else if (info.coordinate) void explainAt(info.coordinate[1], info.coordinate[0]);
    },
    onSkyFrame: () => {
      if (!state.ready) return; // the sky canvas's empty frames before the first window
      state.frames++;
      mark("firstSkyFrame");
    },
    onMapFrame: () => mark("firstMapFrame"),
  });
  mark("globe");
  const earth = new SolidPolygonLayer({
    id: "earth", data: [[[-180, 90], [0, 90], [180, 90], [180, -90], [0, -90], [-180, -90]]],
    getPolygon: (d: Position[]) => d, getFillColor: [16, 32, 56, 255], pickable: true,
  });
  // Pale blue-grey, mostly opaque: outlines over the dark globe and under the satellites.
  const outlineLayer = new MeshLayer({
    id: "outlines", lonLat: outlines.array, topology: "line-list",
    indices: segmentIndices(outlineStarts.array, outlines.array.length / 2),
    colors: uniformColours(outlines.array.length / 2, [171, 191, 209, 204]),
  });
  const groundLayer = new ScatterplotLayer<Site & { kind: string }>({
    id: "ground", data: Object.entries(ground).flatMap(([kind, sites]) => sites.map((s) => ({ ...s, kind }))),
    getPosition: (s) => [s.lon_deg, s.lat_deg, 0], radiusUnits: "pixels", getRadius: 3,
    getFillColor: (s) => (s.kind === "pop" ? [255, 215, 0, 255] : [0, 200, 255, 220]),
  });
  const checked = (id: string): boolean => $<HTMLInputElement>(id).checked;
  // The map changes only when the policy answer or a switch does.
  // A layer is made anew only when what it draws changes: a recolouring of the coverage must
  // not make deck.gl re-process the policy cells' or the terminals' attributes.
  const made = new Map<string, { key: string; layer: Layer }>();
  function cached<L extends Layer>(id: string, key: string, make: () => L): L {
    const hit = made.get(id);
    if (hit && hit.key === key) return hit.layer as L;
    const layer = make();
    made.set(id, { key, layer });
    return layer;
  }
  function rebuildMap(): void {
    const shown = compareRule ?? cellRule;
    const showPolicy = checked("show-policy");
    const showOutlines = checked("show-outlines");
    const mesh = cov.mesh;
    const attrs = terms.attrs;
    globe.setMap([
      earth,
      cached("policy", `${state.cellsVersion} ${showPolicy}`, () => new SolidPolygonLayer<Position[]>({
        id: "policy", data: cells, getPolygon: (d) => d, pickable: true, visible: showPolicy,
        getFillColor: (_d, { index }) => (compareRule && compareRule[index] === cellRule[index]
          ? [0, 0, 0, 0] : colours[shown[index]]),
        updateTriggers: { getFillColor: state.cellsVersion },
      })),
      ...(mesh && checked("show-coverage") ? [cached("coverage", `${cov.key} ${state.coverageVersion}`,
        () => new MeshLayer({ id: "coverage", lonLat: mesh.lonLat, indices: mesh.triangles, topology: "triangle-list",
          colors: cov.colors, colorsVersion: state.coverageVersion, heightM: 2_000 }))] : []),
      cached("outlines", String(showOutlines), () => outlineLayer.clone({ visible: showOutlines })),
      groundLayer,
      ...(attrs && checked("show-terminals") ? [cached("terminals", String(terms.version), () => new ScatterplotLayer({
        id: "terminals", data: { length: attrs.terminal.length, attributes: {
          getPosition: { value: attrs.positions, size: 2 }, getFillColor: { value: attrs.colors, size: 4 } } },
        radiusUnits: "pixels", getRadius: 2.5, pickable: true }))] : []),
    ]);
  }
  for (const id of ["show-outlines", "show-policy", "show-coverage", "show-terminals"]) {
    $(id).addEventListener("change", rebuildMap);
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
  $("route-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    $("route-label").textContent = "routing…";
    void loadRoute($<HTMLInputElement>("route-place").value.trim(), windowStart(sky.ms, windowMs));
  });
  $("explain-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void explainAt(Number($<HTMLInputElement>("lat").value), Number($<HTMLInputElement>("lon").value));
  });

  async function onTime(prefetched?: Promise<Decisions>): Promise<void> {
    const t = dayToIso(startMs, Number(slider.value));
    $("time-label").textContent = t;
    try {
      const compare = $<HTMLSelectElement>("compare").value;
      const [dec, other] = await Promise.all([
        prefetched ?? loadDecisions(t),
        compare ? getArray(`api/policy/decisions?time=${encodeURIComponent(t)}&version=${encodeURIComponent(compare)}`,
          (b) => new Uint8Array(b)) : Promise.resolve(null),
        loadWindow(windowStart(Date.parse(t), windowMs)),
      ]);
      cellRule = dec.array;
      compareRule = other ? other.array : null;
      const k = Number(dec.headers.get("X-Policy"));
      state.policyVersion = k >= 0 ? meta.policies[k].version : "";
      $("policy-label").textContent = k >= 0
        ? `In force: ${meta.policies[k].version} (${meta.policies[k].event})` : "No policy in force";
      state.cellsVersion++;
      rebuildMap();
      sky.startMs = sky.ms = Date.parse(t);
      $("message").hidden = true;
      if (terms.ids) void loadTerminals(t);
      moveCursor($<SVGSVGElement & HTMLElement>("served-chart"), Date.parse(t), startMs, endMs);
    } catch (err) {
      showError(err);
    }
  }
  slider.addEventListener("change", () => void onTime());
  await onTime(firstDecisions);
  slider.addEventListener("input", () => { $("time-label").textContent = dayToIso(startMs, Number(slider.value)); });
  $("compare").addEventListener("change", () => void onTime());
  function jumpTo(ms: number): void {
    slider.value = String(Math.min(Number(slider.max), dayOnOrAfter(ms, startMs, DAY_MS)));
    void onTime();
  }
  // After the first frame: the scenario's replay (terminals, events, incidents) and coverage.
  $<HTMLInputElement>("coverage-region").value = meta.coverage.region;
  const resSelect = $<HTMLSelectElement>("coverage-res");
  meta.coverage.resolutions.forEach((r) => resSelect.append(new Option(`res ${r}`, String(r))));
  resSelect.value = String(meta.coverage.res);
  $("coverage-form").addEventListener("submit", (ev) => { ev.preventDefault(); void loadCoverageMesh(); });
  $("coverage-res").addEventListener("change", () => void loadCoverageMesh());
  $("coverage-figure").addEventListener("change", () => { cov.row = -1; });
  $("show-coverage").addEventListener("change", () => { if (!cov.mesh && checked("show-coverage")) void loadCoverageMesh(); });
  $("terminal-group").addEventListener("change", () => void loadTerminals(dayToIso(startMs, Number(slider.value))));
  $("terminal-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void explainTerminal($<HTMLInputElement>("terminal-id").value.trim());
  });
  void (async () => {
    try {
      if (checked("show-coverage")) void loadCoverageMesh();
      $("terminals-label").textContent = "replaying the scenario…";
      const [ids, events, served, incidents] = await Promise.all([
        getJson<TerminalIds>("api/terminals/ids"), getJson<ScenarioEvent[]>("api/events"),
        getJson<Served>("api/served"), getJson<{ total: number; incidents: Incident[] }>("api/incidents")]);
      terms.ids = ids;
      ids.groups.forEach((g, k) => $("terminal-group").append(new Option(g, String(k))));
      drawMarks($("marks"), events, startMs, endMs, jumpTo);
      drawServed($<SVGSVGElement & HTMLElement>("served-chart"), $("served-legend"), served, startMs, endMs);
      moveCursor($<SVGSVGElement & HTMLElement>("served-chart"), Date.parse(dayToIso(startMs, Number(slider.value))), startMs, endMs);
      const nSuspended = ids.suspended_from.filter((x) => x !== null).length;
      $("incidents-summary").textContent = `Incidents: ${incidents.total.toLocaleString("en")}; terminals suspended: ${nSuspended.toLocaleString("en")}`;
      $("incidents").replaceChildren(...incidents.incidents.slice(0, 300).map((inc) => {
        const li = document.createElement("li");
        li.textContent = `${inc.start.slice(0, 16)} ${inc.terminal_id} ${inc.kind}: ${inc.evidence}`;
        li.onclick = () => { jumpTo(Date.parse(inc.start)); void explainTerminal(inc.terminal_id); };
        return li;
      }));
      await loadTerminals(dayToIso(startMs, Number(slider.value)));
      state.terminalsReady = true;
    } catch (err) {
      showError(err);
    }
  })();

  // The sky's clock runs SKY_SECONDS_PER_SECOND from the slider's instant, window after
  // window; it waits at a window's end until the next one has arrived.
  let last = performance.now();
  function frame(now: number): void {
    const dt = Math.max(0, Math.min(now - last, 250));
    last = now;
    const next = sky.ms + dt * SKY_SECONDS_PER_SECOND;
    if (next > spanEndMs) sky.ms = sky.startMs;
    else if (windows.has(windowStart(next, windowMs))) sky.ms = next;
    else void loadWindow(windowStart(next, windowMs));
    const w = windowStart(sky.ms, windowMs);
    // Ask for the next window half-way through this one, and forget the ones behind.
    if (sky.ms - w > windowMs / 2) void loadWindow(w + windowMs);
    if (windows.size > 3) {
      for (const key of windows.keys()) if (key !== w && key !== w + windowMs) windows.delete(key);
    }
    const data = windows.get(w);
    if (data) {
      const { k, f } = slotAt(sky.ms, w, stepMs, data.length / (3 * n));
      if (data !== sky.data || k !== sky.k) {
        sky.data = data;
        sky.k = k;
        sky.before = data.subarray(3 * n * k, 3 * n * (k + 1));
        sky.after = data.subarray(3 * n * (k + 1), 3 * n * (k + 2));
        state.satellites = countFinite(sky.before);
        $("status").textContent = `Sky ${new Date(w + k * stepMs).toISOString().slice(0, 19)}Z`;
      }
      updateCoverage(sky.ms);
      const routeShown = routeLayer(w, k, f);
      globe.setSky([new SkyLayer({
        id: "sky", before: sky.before, after: sky.after, fraction: f,
        links: checked("show-links") ? linkPairs : null,
      }), ...(routeShown ? [routeShown] : [])]);
      state.ready = true;
      mark("firstSkyLayer");
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}

function countFinite(xyz: Float32Array): number {
  let finite = 0;
  for (let j = 0; j < xyz.length; j += 3) if (Number.isFinite(xyz[j])) finite++;
  return finite;
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
