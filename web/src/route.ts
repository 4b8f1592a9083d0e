// A place's route to its PoP as the API gives it (/api/route), and its caption.

export interface Hop {
  kind: "place" | "satellite" | "gateway" | "pop";
  /** Satellite index into the positions (-1 on the ground). */
  index: number;
  name: string;
  lat_deg: number | null;
  lon_deg: number | null;
}
export interface RouteStep { time: string; serving: number | null; rtt_ms: number | null; path: Hop[];
  no_service: string | null }
export interface Routes { place: Hop; pop: Hop; steps: RouteStep[] }

/** "TIME: PLACE served by SAT; N satellites to gateway G, pop P; RTT x ms", or why not. */
export function routeCaption(place: string, step: RouteStep): string {
  if (step.rtt_ms === null) return `${step.time}: ${place} has no service (${step.no_service ?? "unknown"})`;
  const sats = step.path.filter((h) => h.kind === "satellite");
  const ground = step.path.filter((h) => h.kind === "gateway" || h.kind === "pop").map((h) => `${h.kind} ${h.name}`);
  return `${step.time}: ${place} served by ${sats[0]?.name ?? "?"}; ${sats.length} satellite`
    + `${sats.length === 1 ? "" : "s"} to ${ground.join(", ")}; RTT ${step.rtt_ms.toFixed(1)} ms`;
}
