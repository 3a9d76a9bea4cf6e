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

describe("an endpoint's circuit breaker", () => {
  it("opens on a run of failures, keeps deliveries waiting without attempts, probes once per interval, and delivers everything once after", async () => {
    const receiver = await startWebhookReceiver({ status: 503 });
    env.defer(() => receiver.close());
    // One send at a time to the endpoint, so exactly the run of 3 failures opens it.
    const w = await startTestWebhooks(env.nats, {
      endpointConcurrency: 1,
      policy: { maxRetries: 50, scheduleMs: [200], maxRetryAfterMs: 1_000 },
      circuit: { failures: 3, openMs: 700 },
    });
    env.defer(() => w.stop());

    const ends = Array.from({ length: 8 }, () => endEvent(receiver.url));
    for (const end of ends) await publishEnd(env.nats, end);
    const all = async () => (await Promise.all(ends.map((e) => recordedEventsOf(env.nats, e.request_id)))).flat();

    // Down for at least two probes.
    await eventually(async () => (circuitEvents(await all()).filter((e) => e.data.state === "half_open").length >= 2 ? true : undefined), 60_000);
    receiver.respondWith({ status: 204 });

    const events = await eventually(async () => {
      const now = await all();
      return now.filter((e) => e.type === "WebhookDelivered").length === ends.length ? now : undefined;
    }, 60_000);

    expect(events.filter((e) => e.type === "WebhookExhausted")).toEqual([]);
    // Delivered once: one 2xx answer per request.
    const delivered = receiver.received.filter((r) => r.answered === 204).map((r) => String(r.headers["webhook-id"]));
    expect(delivered.sort()).toEqual([...new Set(delivered)].sort());
    expect(delivered).toHaveLength(ends.length);

    // Waiting used no attempts: every attempt recorded is a send the receiver saw, and the
    // failing sends are the run that opened the circuit and the probes that failed.
    const circuit = circuitEvents(events);
    const probes = circuit.filter((e) => e.data.state === "half_open").length;
    const failedSends = receiver.received.filter((r) => r.answered === 503).length;
    expect(events.filter((e) => e.type === "WebhookAttempted")).toHaveLength(receiver.received.length);
    expect(failedSends).toBe(3 + probes - 1);
    expect(circuit.filter((e) => e.data.state === "closed")).toHaveLength(1);
    expect(circuit.find((e) => e.data.state === "open")?.data).toMatchObject({ endpoint: new URL(receiver.url).origin, failures: 3 });
  });

  it("gives a due probe to one of several replicas asking at once", async () => {
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

    const closed = await replicas[2]!.settle(endpoint, false, t0 + 300);
    expect(closed).toMatchObject({ from: { state: "half_open" }, to: { state: "closed", failures: 0 } });
    expect(await replicas[0]!.pass(endpoint, t0 + 301)).toEqual({ kind: "send", probe: null });
  });
});
