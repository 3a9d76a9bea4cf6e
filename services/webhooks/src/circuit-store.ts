// Every endpoint's circuit (delivery/circuit.ts), shared by all webhook replicas: one KV
// entry per endpoint, changed only by revision-checked writes, so of two replicas deciding
// on the same state one wins and the other decides again on the new one. Only the winner
// of a change records it (as a WebhookCircuitChanged event) and only the winner of a probe
// claim sends the probe. A missing entry is a closed circuit; entries of endpoints that
// fall quiet expire.
import { createHash } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { isWrongLastSequence, kvBucketOnFirstUse, type JetStreamClient } from "@chorus/platform";
import { CLOSED, afterAttempt, gate, type Circuit, type CircuitPolicy } from "./delivery/index.ts";

export const circuitBucket = (t: Topology) => `${t.prefix}_webhook_circuits`;

/** An endpoint's entry lives this long after its last change: a week of quiet forgets it (closed). */
const ENTRY_TTL_MS = 7 * 24 * 3_600_000;
/** Compare-and-set rounds before giving up: only many replicas racing on one endpoint need more than one. */
const MAX_CONFLICTS = 20;

const Stored = z.object({ endpoint: z.string(), state: z.enum(["closed", "open", "half_open"]), failures: z.number().int().min(0), until_ms: z.number() });

export type CircuitChange = { from: Circuit; to: Circuit };

export type Passage =
  | { kind: "send"; probe: CircuitChange | null }
  | { kind: "wait"; untilMs: number };

export type CircuitStore = {
  /** Whether a delivery to `endpoint` may go now; a won probe claim is returned as the change it made. */
  pass(endpoint: string, nowMs: number): Promise<Passage>;
  /** Stores what an attempt's outcome did to the circuit; the change, if it changed state. */
  settle(endpoint: string, failing: boolean, nowMs: number): Promise<CircuitChange | null>;
};

/** KV keys allow a narrow alphabet; an origin may hold anything, so the key is its hash. */
const keyOf = (endpoint: string) => createHash("sha256").update(endpoint).digest("hex").slice(0, 40);

export function kvCircuitStore(deps: { js: JetStreamClient; topology: Topology; policy: CircuitPolicy }): CircuitStore {
  const bucket = kvBucketOnFirstUse(deps.js, circuitBucket(deps.topology), { history: 1, ttl: ENTRY_TTL_MS });
  const { policy } = deps;

  async function read(kv: KV, endpoint: string): Promise<{ circuit: Circuit; revision: number | null }> {
    const entry = await kv.get(keyOf(endpoint));
    if (!entry || entry.operation !== "PUT") return { circuit: CLOSED, revision: entry ? entry.revision : null };
    const parsed = Stored.safeParse(entry.json());
    if (!parsed.success) return { circuit: CLOSED, revision: entry.revision };
    return { circuit: { state: parsed.data.state, failures: parsed.data.failures, untilMs: parsed.data.until_ms }, revision: entry.revision };
  }

  /** Writes `to` over the revision read; false when another replica wrote first. */
  async function write(kv: KV, endpoint: string, to: Circuit, revision: number | null): Promise<boolean> {
    const value = JSON.stringify({ endpoint, state: to.state, failures: to.failures, until_ms: to.untilMs });
    try {
      if (revision === null) await kv.create(keyOf(endpoint), value);
      else await kv.update(keyOf(endpoint), value, revision);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  /** Reads, decides and writes until a write wins (or nothing needs writing). */
  async function change<T>(endpoint: string, decide: (circuit: Circuit) => { to: Circuit | null; result: (from: Circuit) => T }): Promise<T> {
    const kv = await bucket();
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const { circuit, revision } = await read(kv, endpoint);
      const { to, result } = decide(circuit);
      if (to === null || (await write(kv, endpoint, to, revision))) return result(circuit);
    }
    throw new Error(`the circuit of ${endpoint} changed under ${MAX_CONFLICTS} writes in a row`);
  }

  return {
    pass(endpoint, nowMs) {
      if (policy.failures === 0) return Promise.resolve({ kind: "send", probe: null });
      return change<Passage>(endpoint, (circuit) => {
        const g = gate(circuit, nowMs, policy);
        if (g.kind === "send") return { to: null, result: () => ({ kind: "send", probe: null }) };
        if (g.kind === "wait") return { to: null, result: () => ({ kind: "wait", untilMs: g.untilMs }) };
        return { to: g.next, result: (from) => ({ kind: "send", probe: { from, to: g.next } }) };
      });
    },
    settle(endpoint, failing, nowMs) {
      if (policy.failures === 0) return Promise.resolve(null);
      return change<CircuitChange | null>(endpoint, (circuit) => {
        const to = afterAttempt(circuit, failing, nowMs, policy);
        if (to === circuit) return { to: null, result: () => null };
        return { to, result: (from) => (from.state === to.state ? null : { from, to }) };
      });
    },
  };
}
