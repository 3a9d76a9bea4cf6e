// Circuit breaking against real NATS and a real receiver: an endpoint that is down opens
// its circuit, its deliveries wait without using attempts while one probe goes out per
// interval, and once it is back the probe closes the circuit and every delivery arrives once.
import { describe, expect, it } from "vitest";
import type { ChorusEvent, EventOf } from "@chorus/contracts";
import { eventually, isolatedPerTest, recordedEventsOf, startWebhookReceiver } from "@chorus/testing";
import { kvCircuitStore } from "./circuit-store.ts";
import { endEvent, publishEnd, startTestWebhooks } from "./webhooks.fixtures.ts";

const env = isolatedPerTest({ nats: true });

type CircuitEvent = EventOf<"WebhookCircuitChanged">;
const circuitEvents = (events: ChorusEvent[]) => events.filter((e): e is CircuitEvent => e.type === "WebhookCircuitChanged");

const FAILURES_TO_OPEN = 3;

/**
 * `replicas` webhook services, one send at a time each to the endpoint, deliver 8 requests
 * to a receiver that is down (503) until two probes found it so, then up: what was recorded
 * and what the receiver saw, once every request is delivered.
 */
async function downThenUp(replicas: number) {
  const receiver = await startWebhookReceiver({ status: 503 });
  env.defer(() => receiver.close());
  for (let i = 0; i < replicas; i++) {
    const w = await startTestWebhooks(env.nats, {
      endpointConcurrency: 1,
      // Retries soon and many: only the circuit keeps a delivery from running out of them.
      policy: { maxRetries: 50, scheduleMs: [200], maxRetryAfterMs: 1_000 },
      circuit: { failures: FAILURES_TO_OPEN, openMs: 700 },
    });
    env.defer(() => w.stop());
  }
  const ends = Array.from({ length: 8 }, () => endEvent(receiver.url));
  for (const end of ends) await publishEnd(env.nats, end);
  const all = async () => (await Promise.all(ends.map((e) => recordedEventsOf(env.nats, e.request_id)))).flat();

  await eventually(async () => (circuitEvents(await all()).filter((e) => e.data.state === "half_open").length >= 2 ? true : undefined), 60_000);
  receiver.respondWith({ status: 204 });
  const events = await eventually(async () => {
    const now = await all();
    return now.filter((e) => e.type === "WebhookDelivered").length === ends.length ? now : undefined;
  }, 60_000);

  expect(events.filter((e) => e.type === "WebhookExhausted")).toEqual([]);
  // Delivered once: one 2xx answer per request.
  const delivered = receiver.received.filter((r) => r.answered === 204).map((r) => String(r.headers["webhook-id"]));
  expect(new Set(delivered).size).toBe(delivered.length);
  expect(delivered).toHaveLength(ends.length);
  // Waiting used no attempts: every attempt recorded is a send the receiver saw.
  expect(events.filter((e) => e.type === "WebhookAttempted")).toHaveLength(receiver.received.length);
  const circuit = circuitEvents(events);
  expect(circuit.filter((e) => e.data.state === "closed")).toHaveLength(1);
  expect(circuit.find((e) => e.data.state === "open")?.data).toMatchObject({ endpoint: new URL(receiver.url).origin, failures: FAILURES_TO_OPEN });
  return { probes: circuit.filter((e) => e.data.state === "half_open").length, failedSends: receiver.received.filter((r) => r.answered === 503).length };
}

describe("an endpoint's circuit breaker", () => {
  it("opens on a run of failures, keeps deliveries waiting without attempts, probes once per interval, and delivers everything once after", async () => {
    const { probes, failedSends } = await downThenUp(1);
    // The failing sends are the run that opened the circuit and the probes that failed.
    expect(failedSends).toBe(FAILURES_TO_OPEN + probes - 1);
  });

  it("does the same on two replicas sharing the circuit: one probe at a time, whichever replica sends it", async () => {
    const { probes, failedSends } = await downThenUp(2);
    // Each replica may have had one send under way when the run of failures opened the circuit.
    expect(failedSends).toBeGreaterThanOrEqual(FAILURES_TO_OPEN + probes - 1);
    expect(failedSends).toBeLessThanOrEqual(FAILURES_TO_OPEN + 1 + probes - 1);
  });

  it("gives a due probe to one of several replicas asking at once, and to another once the claim of one that died runs out", async () => {
    const policy = { failures: 2, openMs: 100, probeLeaseMs: 60_000 };
    const replicas = [0, 1, 2].map(() => kvCircuitStore({ js: env.nats.js, topology: env.nats.topology, policy }));
    const endpoint = "http://203.0.113.9:8080";
    const t0 = Date.now();
    await replicas[0]!.settle(endpoint, true, t0);
    const opened = await replicas[1]!.settle(endpoint, true, t0);
    expect(opened?.to).toMatchObject({ state: "open", failures: 2 });

    const asked = await Promise.all(replicas.flatMap((r) => [r, r].map((replica) => replica.pass(endpoint, t0 + 200))));
    const probes = asked.filter((p) => p.kind === "send" && p.probe !== null);
    expect(probes).toHaveLength(1);
    expect(asked.filter((p) => p.kind === "wait")).toHaveLength(asked.length - 1);

    // The replica that claimed it dies before it answers: another claims it once the claim runs out.
    expect(await replicas[1]!.pass(endpoint, t0 + 200 + 59_999)).toMatchObject({ kind: "wait" });
    expect(await replicas[1]!.pass(endpoint, t0 + 200 + 60_000)).toMatchObject({ kind: "send", probe: { from: { state: "half_open" }, to: { state: "half_open" } } });

    const closed = await replicas[2]!.settle(endpoint, false, t0 + 300);
    expect(closed).toMatchObject({ from: { state: "half_open" }, to: { state: "closed", failures: 0 } });
    expect(await replicas[0]!.pass(endpoint, t0 + 301)).toEqual({ kind: "send", probe: null });
  });
});
