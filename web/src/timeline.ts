// The timeline under the map: the scenario's events as marks to jump to, and a chart of
// terminals served (allowed) per region over the timeline, with a cursor at the slider.

export interface ScenarioEvent { time: string; kind: string; name: string; detail: string; gained: number; lost: number }
export interface Served { times: string[]; regions: string[]; on: number[][]; allowed: number[][] }

/** Where `ms` falls between `startMs` and `endMs`, clamped to [0, 1]. */
export function fractionOf(ms: number, startMs: number, endMs: number): number {
  if (!(endMs > startMs)) return 0;
  return Math.min(1, Math.max(0, (ms - startMs) / (endMs - startMs)));
}

/** SVG polyline points of `values` at `timesMs` on a `width` × `height` box, 0 at the bottom
 * and `maxValue` at the top. */
export function polylinePoints(timesMs: number[], values: number[], startMs: number, endMs: number,
  width: number, height: number, maxValue: number): string {
  const top = maxValue > 0 ? maxValue : 1;
  return timesMs.map((t, i) => {
    const x = fractionOf(t, startMs, endMs) * width;
    const y = height - (Math.min(values[i], top) / top) * height;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  }).join(" ");
}

/** The whole day (from the scenario's start) on or after `ms`: where an event's mark jumps. */
export function dayOnOrAfter(ms: number, startMs: number, dayMs: number): number {
  return Math.max(0, Math.ceil((ms - startMs) / dayMs));
}

const SVG = "http://www.w3.org/2000/svg";
// Region lines: distinct, readable on the dark panel.
const LINE_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

/** Marks for `events` in `track`, each a button that calls `jump` with its time (ms). */
export function drawMarks(track: HTMLElement, events: ScenarioEvent[], startMs: number, endMs: number,
  jump: (ms: number) => void): void {
  track.replaceChildren(...events.map((e) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `mark mark-${e.kind}`;
    b.style.left = `${(100 * fractionOf(Date.parse(e.time), startMs, endMs)).toFixed(2)}%`;
    b.title = `${e.time.slice(0, 10)} ${e.name}: ${e.detail}`;
    b.dataset.time = e.time;
    b.dataset.kind = e.kind;
    b.onclick = () => { jump(Date.parse(e.time)); };
    return b;
  }));
}

/** The served-per-region chart in `svg` (lines of allowed terminals) with its legend. */
export function drawServed(svg: SVGSVGElement, legend: HTMLElement, served: Served, startMs: number, endMs: number): void {
  const width = 1000;
  const height = 100;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const times = served.times.map((t) => Date.parse(t));
  const max = Math.max(1, ...served.on.flat());
  const lines = served.regions.map((_, r) => {
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", polylinePoints(times, served.allowed[r], startMs, endMs, width, height, max));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", LINE_COLOURS[r % LINE_COLOURS.length]);
    line.setAttribute("stroke-width", "2");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    return line;
  });
  const cursor = document.createElementNS(SVG, "line");
  cursor.id = "served-cursor";
  for (const [k, v] of [["y1", "0"], ["y2", String(height)], ["stroke", "#ffffff"], ["stroke-width", "1"],
    ["vector-effect", "non-scaling-stroke"]]) cursor.setAttribute(k, v);
  svg.replaceChildren(...lines, cursor);
  legend.replaceChildren(...served.regions.map((name, r) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.style.background = LINE_COLOURS[r % LINE_COLOURS.length];
    li.append(sw, `${name}: terminals served`);
    return li;
  }));
}

/** Move the chart's cursor to `ms`. */
export function moveCursor(svg: SVGSVGElement, ms: number, startMs: number, endMs: number): void {
  const cursor = svg.querySelector("#served-cursor");
  const x = (1000 * fractionOf(ms, startMs, endMs)).toFixed(1);
  cursor?.setAttribute("x1", x);
  cursor?.setAttribute("x2", x);
}
