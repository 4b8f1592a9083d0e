// What the console lets the caller press: the routes their role may call (from /v1/me, which
// reads them off the server's own route table) and the two-person rules. Pure functions; the
// server refuses whatever these would have allowed by mistake.
import type { Activation, Me, PolicyVersion, SuspensionRequest } from "./api";

/** Whether ``me`` may call the route template ``path`` with ``method``. */
export function may(me: Me, method: string, path: string): boolean {
  return me.routes.includes(`${method} ${path}`);
}

export interface Control {
  enabled: boolean;
  /** Why it is disabled ("" when enabled): shown as the button's title. */
  why: string;
}

/** A control for route ``method path`` that the two-person rule may also forbid (``conflict``). */
export function control(me: Me, method: string, path: string, conflict = ""): Control {
  if (!may(me, method, path)) return { enabled: false, why: `role ${me.role} may not call ${method} ${path}` };
  if (conflict) return { enabled: false, why: conflict };
  return { enabled: true, why: "" };
}

/** A policy version's two-person activation state in words: who wrote it, and who put it in
 * force (the last activation or rollback to it), or that it waits for someone else. */
export function activationState(policy: PolicyVersion, history: readonly Activation[]): string {
  const last = [...history].reverse().find((a) => a.policy_id === policy.id);
  if (policy.active) {
    return last ? `active: written by ${policy.author}, ${last.action} by ${last.by} at ${last.at}`
      : `active: written by ${policy.author}`;
  }
  const before = last ? `; was active (${last.action} by ${last.by} at ${last.at})` : "";
  return `inactive: written by ${policy.author}, needs an approver other than ${policy.author}${before}`;
}

/** Why ``me`` may not activate ``policy`` under the two-person rule, or "". */
export function activationConflict(me: Me, policy: PolicyVersion): string {
  if (policy.active) return "already active";
  if (policy.author === me.subject) return `two-person rule: ${me.subject} wrote this version`;
  return "";
}

/** Why ``me`` may not decide ``request`` (pending only, never one's own), or "". */
export function decisionConflict(me: Me, request: SuspensionRequest): string {
  if (request.status !== "pending") return `already ${request.status}`;
  if (request.requested_by === me.subject) return `two-person rule: ${me.subject} asked for it`;
  return "";
}

/** The status a terminal's suspend/reactivate button sets, or null when neither applies. */
export function toggledStatus(status: string): "suspended" | "active" | null {
  if (status === "active") return "suspended";
  if (status === "suspended") return "active";
  return null;
}
