// Types of webhook-timing.js, for the unit tests (the browser reads the .js as it is).
export type CircuitChange = { state: "open" | "half_open" | "closed"; endpoint: string; failures: number; next_probe_at: string | null; changed_at: string };
export const POLL_MS: number;
export const AFTER_PROBE_MS: number;
export const OPEN_CIRCUIT_MAX_WAIT_MS: number;
export function latestCircuit(logs: { circuit: CircuitChange[] | null } | null | undefined): CircuitChange | null;
export function readAgainIn(input: { webhookStatus: string | undefined; watchUntil: number; circuit: CircuitChange | null; now: number }): number | null;
