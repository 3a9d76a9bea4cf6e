// A submission when JetStream has no space for it (an event stream at a tiny max_bytes):
// 503 with Retry-After and a message that says so, nothing recorded, /readyz and /metrics
// saying why — and submissions work again, and /readyz says nothing of it, once space returns.
import { beforeAll, describe, expect, it } from "vitest";
import { startTelemetry } from "@chorus/platform";
import { isolatedPerFile, recordedEventsOf } from "@chorus/testing";
import { startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";

const env = isolatedPerFile({ nats: true });
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  await startTelemetry({ serviceName: "chorus-gateway-store-full-test" });
  const database = unreachableDatabase();
  env.defer(() => database.close());
  gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => gateway.stop());
});

const TEXT = "Apple opened a new office in Berlin on Monday, and investors cheered the plan.";
const submit = () => gateway.post({ text: TEXT }, { prefer: "respond-async" });
const readyz = async () => {
  const res = await fetch(`${gateway.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { details?: { event_store?: { full: boolean; error: string } } } };
};

describe("submitting while the event store is full", () => {
  it("answers 503 with Retry-After, records nothing, says why, and works again once there is space", async () => {
    const stream = env.nats.topology.streams.events;
    const { state } = await env.nats.jsm.streams.info(stream);
    await env.nats.jsm.streams.update(stream, { max_bytes: state.bytes + 64 });

    const refused = await submit();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    const body = (await refused.json()) as { error: string; message: string; request_id: string };
    expect(body).toMatchObject({ error: "Unavailable", message: expect.stringContaining("event store is full") });
    expect(await recordedEventsOf(env.nats, body.request_id)).toEqual([]);

    // Still ready (reads work, and every replica shares the store), saying why writes fail.
    const full = await readyz();
    expect(full.status).toBe(200);
    expect(full.body.details?.event_store).toMatchObject({ full: true, error: expect.stringMatching(/maximum bytes exceeded/) });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^chorus_event_store_refusals_total(\{[^}]*\})? [1-9]/m);

    await env.nats.jsm.streams.update(stream, { max_bytes: -1 });
    const accepted = await submit();
    expect(accepted.status).toBe(202);
    const { request_id } = (await accepted.json()) as { request_id: string };
    expect((await recordedEventsOf(env.nats, request_id)).map((e) => e.type)).toEqual(["RequestAccepted"]);
    expect((await readyz()).body.details?.event_store).toBeUndefined();
  });
});
