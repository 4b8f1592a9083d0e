import { describe, expect, it } from "vitest";
import type { Activation, Me, PolicyVersion, SuspensionRequest } from "../src/console/api";
import { activationConflict, activationState, control, decisionConflict, may, toggledStatus } from "../src/console/rights";

const approver: Me = { subject: "approver-1", role: "policy_approver", sponsor_id: null, permissions: [],
  routes: ["GET /v1/policies", "POST /v1/policies/{policy_id}/activate"] };
const auditor: Me = { ...approver, subject: "auditor-1", role: "auditor", routes: ["GET /v1/policies"] };
const policy = (id: number, author: string, active: boolean): PolicyVersion =>
  ({ id, label: `v${id}`, author, comment: "", uploaded_at: "2026-12-01T00:00:00Z", active });
const activation = (policy_id: number, by: string): Activation =>
  ({ id: policy_id, policy_id, action: "activate", by, at: "2026-12-02T00:00:00Z", reason: "ok" });

describe("console rights", () => {
  it("reads the routes /v1/me lists, method and template together", () => {
    expect(may(approver, "POST", "/v1/policies/{policy_id}/activate")).toBe(true);
    expect(may(approver, "GET", "/v1/policies/{policy_id}/activate")).toBe(false);
    expect(may(auditor, "POST", "/v1/policies/{policy_id}/activate")).toBe(false);
  });

  it("disables a control for a role without the route, naming it", () => {
    expect(control(auditor, "POST", "/v1/policies/{policy_id}/activate")).toEqual(
      { enabled: false, why: "role auditor may not call POST /v1/policies/{policy_id}/activate" });
    expect(control(approver, "POST", "/v1/policies/{policy_id}/activate")).toEqual({ enabled: true, why: "" });
  });

  it("keeps the two-person rule: no approving one's own version or request", () => {
    expect(activationConflict(approver, policy(1, "approver-1", false))).toMatch(/two-person rule/);
    expect(activationConflict(approver, policy(1, "author-1", false))).toBe("");
    expect(activationConflict(approver, policy(1, "author-1", true))).toBe("already active");
    const request: SuspensionRequest = { id: 1, action: "suspend", terminal_id: "UT-A", incident_id: 1,
      requested_by: "approver-1", requested_at: "", reason: "", status: "pending", decided_by: null, version: 1 };
    expect(decisionConflict(approver, request)).toMatch(/two-person rule/);
    expect(decisionConflict(auditor, request)).toBe("");
    expect(decisionConflict(auditor, { ...request, status: "approved" })).toBe("already approved");
  });

  it("states who wrote a version and who put it in force", () => {
    expect(activationState(policy(2, "author-1", true), [activation(1, "a"), activation(2, "approver-2")]))
      .toBe("active: written by author-1, activate by approver-2 at 2026-12-02T00:00:00Z");
    expect(activationState(policy(3, "author-1", false), []))
      .toBe("inactive: written by author-1, needs an approver other than author-1");
  });

  it("toggles only active and suspended terminals", () => {
    expect(toggledStatus("active")).toBe("suspended");
    expect(toggledStatus("suspended")).toBe("active");
    expect(toggledStatus("ordered")).toBeNull();
  });
});
