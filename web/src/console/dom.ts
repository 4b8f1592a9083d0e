// Small DOM builders for the console's tables: text only (textContent), never HTML strings.
import type { Control } from "./rights";

export type Cell = string | Node;

export function table(headers: readonly string[], rows: readonly Cell[][], empty: string): HTMLElement {
  if (rows.length === 0) return note(empty);
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement("th");
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().append(cell);
  }
  return t;
}

export function note(text: string): HTMLElement {
  const p = document.createElement("p");
  p.className = "note";
  p.textContent = text;
  return p;
}

/** A button for an action; disabled, with the reason as its title, when ``control`` forbids it. */
export function button(label: string, ctl: Control, action: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.dataset.action = action;
  b.disabled = !ctl.enabled;
  b.title = ctl.why;
  b.addEventListener("click", onClick);
  return b;
}

export function span(text: string, className = ""): HTMLSpanElement {
  const s = document.createElement("span");
  s.textContent = text;
  if (className) s.className = className;
  return s;
}

export function group(...nodes: Node[]): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(...nodes);
  return f;
}
