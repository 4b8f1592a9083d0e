// The console's five views over the live registry, each read only when the caller's role may
// call its route; each action button is enabled only when the role may call the action's route
// and the two-person rule lets this person do it.
import type { Activation, Api, AuditEntry, Incident, Me, PolicyVersion, SuspensionRequest, Terminal } from "./api";
import { button, group, note, span, table } from "./dom";
import { activationConflict, activationState, control, decisionConflict, may, toggledStatus } from "./rights";

/** What a view needs: the caller, the API, the reason typed for actions, and how to act. */
export interface Context {
  me: Me;
  api: Api;
  reason: () => string;
  /** Runs an action, shows its outcome, and re-reads every view. */
  act: (what: string, run: () => Promise<unknown>) => void;
}

// The console shows the first page of each list; the routes bound their own limits.
const PAGE = 200;
const AUDIT_HEAD = 20;

function unreadable(me: Me, what: string, path: string): HTMLElement {
  return note(`Your role (${me.role}) may not read ${what} (GET ${path}).`);
}

export async function terminalsView(ctx: Context): Promise<HTMLElement> {
  const { me, api } = ctx;
  if (!may(me, "GET", "/v1/terminals")) return unreadable(me, "terminals", "/v1/terminals");
  const rows = await api.get<Terminal[]>(`/v1/terminals?limit=${PAGE}`);
  return table(["terminal", "status", "account", "sponsor", "updated", "action"], rows.map((t) => {
    const next = toggledStatus(t.status);
    const ctl = control(me, "PATCH", "/v1/terminals/{terminal_id}", next ? "" : `no action for status ${t.status}`);
    const label = next === "active" ? "Reactivate" : "Emergency suspend";
    const action = button(label, ctl, `terminal-${t.id}`, () => ctx.act(`${label} ${t.id}`, () =>
      api.send("PATCH", `/v1/terminals/${encodeURIComponent(t.id)}`, { status: next, reason: ctx.reason() }, t.version)));
    return [t.id, span(t.status, `status-${t.status}`), t.account_id ?? "", t.sponsor_id ?? "", t.updated_at, action];
  }), "No terminals.");
}

export async function policiesView(ctx: Context): Promise<HTMLElement> {
  const { me, api } = ctx;
  if (!may(me, "GET", "/v1/policies")) return unreadable(me, "policy versions", "/v1/policies");
  const [versions, history] = await Promise.all([
    api.get<PolicyVersion[]>("/v1/policies"), api.get<Activation[]>("/v1/policies/history")]);
  return table(["id", "version", "uploaded", "two-person activation state", "action"], versions.map((p) => {
    const ctl = control(me, "POST", "/v1/policies/{policy_id}/activate", activationConflict(me, p));
    const action = button("Activate", ctl, `policy-${p.id}`, () => ctx.act(`Activate ${p.label}`, () =>
      api.send("POST", `/v1/policies/${p.id}/activate`, { reason: ctx.reason() })));
    return [String(p.id), p.label, p.uploaded_at, activationState(p, history), action];
  }), "No policy versions uploaded.");
}

export async function incidentsView(ctx: Context): Promise<HTMLElement> {
  const { me, api } = ctx;
  if (!may(me, "GET", "/v1/incidents")) return unreadable(me, "incidents", "/v1/incidents");
  const rows = await api.get<Incident[]>(`/v1/incidents?limit=${PAGE}`);
  return table(["id", "terminal", "kind", "since", "rule", "evidence", "status", "action"], rows.map((i) => {
    const closed = i.status === "open" ? "" : `incident is ${i.status}`;
    const ask = button("Request suspension", control(me, "POST", "/v1/incidents/{incident_id}/suspension-requests", closed),
      `incident-suspend-${i.id}`, () => ctx.act(`Request suspension of ${i.terminal_id}`, () =>
        api.send("POST", `/v1/incidents/${i.id}/suspension-requests`, { reason: ctx.reason() })));
    const dismiss = button("Dismiss", control(me, "POST", "/v1/incidents/{incident_id}/dismiss", closed),
      `incident-dismiss-${i.id}`, () => ctx.act(`Dismiss incident ${i.id}`, () =>
        api.send("POST", `/v1/incidents/${i.id}/dismiss`, { reason: ctx.reason() }, i.version)));
    return [String(i.id), i.terminal_id, i.kind, i.start_at, i.rule, i.evidence, i.status, group(ask, dismiss)];
  }), "No incidents.");
}

export async function suspensionsView(ctx: Context): Promise<HTMLElement> {
  const { me, api } = ctx;
  if (!may(me, "GET", "/v1/suspension-requests")) {
    return unreadable(me, "suspension requests", "/v1/suspension-requests");
  }
  const rows = await api.get<SuspensionRequest[]>(`/v1/suspension-requests?limit=${PAGE}`);
  return table(["id", "action", "terminal", "asked by", "reason", "status", "decision"], rows.map((r) => {
    const conflict = decisionConflict(me, r);
    const decide = (verb: "approve" | "reject") => button(verb === "approve" ? "Approve" : "Reject",
      control(me, "POST", `/v1/suspension-requests/{request_id}/${verb}`, conflict), `request-${verb}-${r.id}`,
      () => ctx.act(`${verb} request ${r.id}`, () =>
        api.send("POST", `/v1/suspension-requests/${r.id}/${verb}`, { reason: ctx.reason() }, r.version)));
    return [String(r.id), r.action, r.terminal_id, r.requested_by, r.reason,
      r.decided_by ? `${r.status} by ${r.decided_by}` : r.status, group(decide("approve"), decide("reject"))];
  }), "No suspension requests.");
}

export async function auditView(ctx: Context): Promise<HTMLElement> {
  const { me, api } = ctx;
  if (!may(me, "GET", "/v1/audit/head")) return unreadable(me, "the audit log", "/v1/audit/head");
  const rows = await api.get<AuditEntry[]>(`/v1/audit/head?limit=${AUDIT_HEAD}`);
  return table(["seq", "at (UTC)", "actor", "role", "action", "entity", "reason", "hash"], rows.map((e) => [
    String(e.seq), e.at_utc, e.actor, e.role, e.action, `${e.entity} ${e.entity_id}`, e.reason, e.hash.slice(0, 12),
  ]), "The audit log is empty.");
}
