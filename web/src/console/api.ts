// The REST API as the console calls it: every request carries the bearer token in its
// Authorization header (never in the URL); errors are problem documents shown as text.
import { problemText } from "../binary";

/** A refused or failed request: the HTTP status and the problem's detail. */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Me {
  subject: string; role: string; sponsor_id: string | null; permissions: string[];
  /** The routes this role may call, as "METHOD /path/{param}". */
  routes: string[];
}
export interface Terminal {
  id: string; kit_serial: string; account_id: string | null; sponsor_id: string | null;
  status: string; updated_at: string; version: number;
}
export interface PolicyVersion { id: number; label: string; author: string; comment: string;
  uploaded_at: string; active: boolean }
export interface Activation { id: number; policy_id: number; action: string; by: string; at: string;
  reason: string }
export interface Incident { id: number; terminal_id: string; kind: string; start_at: string;
  evidence: string; rule: string; status: string; version: number }
export interface SuspensionRequest { id: number; action: string; terminal_id: string; incident_id: number;
  requested_by: string; requested_at: string; reason: string; status: string; decided_by: string | null;
  version: number }
export interface AuditEntry { seq: number; at_utc: string; actor: string; role: string; action: string;
  entity: string; entity_id: string; reason: string; hash: string }

export class Api {
  constructor(private readonly token: string) {}

  async get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path);
  }

  /** ``method path`` with a JSON body; ``version`` goes out as If-Match (the ETag last read). */
  async send<T>(method: string, path: string, body?: unknown, version?: number): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (version !== undefined) headers["If-Match"] = `"${version}"`;
    const response = await fetch(path, { method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new RequestError(response.status, problemText(response.status, await response.text()));
    return (await response.json()) as T;
  }
}
