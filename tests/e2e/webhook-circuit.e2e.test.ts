// Circuit breaking with the webhook service, the projector and a gateway as real
// processes, configured through the environment: an endpoint that is down for a while
// opens its circuit, its deliveries stop using attempts while one probe per interval goes
// out, the probe that finds it back closes the circuit, everything pending is delivered
// once, and each request's webhook log shows the circuit changes its delivery made.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { messageIds, type WebhookLogs } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import { completedEnd, eventually, isolatedPerFile, startService, startWebhookReceiver, stopCleanly, type RunningService, type WebhookReceiver } from "@chorus/testing";
import { sealSecret, secretKeyOf, singleKeyRing } from "@chorus/webhook-security";

const KEY = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const SECRET = "e2e-circuit-secret-0123456789";
const FAILURES_TO_OPEN = 3;

const isolated = isolatedPerFile({ nats: true, database: true });
let receiver: WebhookReceiver;
let gateway: RunningService;
const services: RunningService[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver({ status: 503 });
  isolated.defer(() => receiver.close());
  isolated.defer(() => stopCleanly(services));
  const env = { ...isolated.nats.env, DATABASE_URL: isolated.db.url, LOG_LEVEL: "warn", WEBHOOK_SECRET_KEY: KEY, WEBHOOK_ALLOW_PRIVATE: "true" };
  services.push(
    await startService("webhooks", {
      ...env,
      // One send at a time to the endpoint, so exactly the run of failures opens the circuit;
      // retries soon and many, so only the circuit keeps a delivery from running out of them.
      WEBHOOK_ENDPOINT_CONCURRENCY: "1",
      WEBHOOK_RETRY_SCHEDULE: "200ms",
      WEBHOOK_MAX_RETRIES: "50",
      WEBHOOK_TIMEOUT: "2",
      WEBHOOK_CIRCUIT_FAILURES: String(FAILURES_TO_OPEN),
      WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS: "700",
    }),
  );
  services.push(await startService("projector", env));
  gateway = await startService("gateway", env);
  services.push(gateway);
});

async function requestEnded(): Promise<string> {
  const requestId = randomUUID();
  const sealed = sealSecret(singleKeyRing(secretKeyOf(KEY)), SECRET, { requestId, tenantId: "default", url: receiver.url });
  const end = completedEnd({ url: receiver.url, secret: sealed }, { requestId });
  await publishEvent(isolated.nats.js, isolated.nats.topology, end, { msgID: messageIds.end(end.request_id) });
  return requestId;
}

async function logsOf(requestId: string): Promise<WebhookLogs | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/webhook-logs/${requestId}`);
  return res.status === 200 ? ((await res.json()) as WebhookLogs) : undefined;
}

async function allLogs(ids: string[]): Promise<WebhookLogs[] | undefined> {
  const logs = await Promise.all(ids.map(logsOf));
  return logs.every((l) => l !== undefined) ? (logs as WebhookLogs[]) : undefined;
}

const circuitStates = (logs: WebhookLogs[]) => logs.flatMap((l) => (l.circuit ?? []).map((c) => c.state));

describe("an endpoint that is down for a while", () => {
  it("opens its circuit, stops using attempts, recovers with one probe, and delivers everything once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await requestEnded());

    // Down through at least two probes, as the webhook logs show.
    await eventually(async () => {
      const logs = await allLogs(ids);
      return logs && circuitStates(logs).filter((s) => s === "half_open").length >= 2 ? true : undefined;
    }, 90_000);
    receiver.respondWith({ status: 204 });

    // Every request delivered, and its log caught up with its end.
    const logs = await eventually(async () => {
      const now = await allLogs(ids);
      const views = await Promise.all(ids.map(async (id) => (await (await fetch(`${gateway.url}/api/v1/results/${id}`)).json()) as { webhook: { status: string; attempts: number } | null }));
      const settled = views.every((v, i) => v.webhook?.status === "delivered" && v.webhook.attempts === now?.[i]?.attempts.length);
      return now && settled && circuitStates(now).includes("closed") ? now : undefined;
    }, 90_000);

    // Once: one 2xx answer per request, and none sent after it.
    const answered = receiver.received.filter((r) => r.answered === 204).map((r) => (JSON.parse(r.body) as { request_id: string }).request_id);
    expect(answered.sort()).toEqual([...ids].sort());

    // Waiting used no attempts: each logged attempt is a send the receiver saw, and the
    // failing sends are the run that opened the circuit and the probes that found it down.
    const states = circuitStates(logs);
    const probes = states.filter((s) => s === "half_open").length;
    expect(logs.reduce((n, l) => n + l.attempts.length, 0)).toBe(receiver.received.length);
    expect(receiver.received.filter((r) => r.answered === 503)).toHaveLength(FAILURES_TO_OPEN + probes - 1);
    expect(states.filter((s) => s === "closed")).toHaveLength(1);
    const opened = logs.flatMap((l) => l.circuit ?? []).find((c) => c.state === "open");
    expect(opened).toMatchObject({ endpoint: new URL(receiver.url).origin, failures: FAILURES_TO_OPEN });
    expect(opened?.next_probe_at).not.toBeNull();
  });
});
