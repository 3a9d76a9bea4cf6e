// GET /api/v1/results/{id}/events read by a real HTTP client: replay, live events until
// the end event, resume with Last-Event-ID, each event's public view only, and 404 for a
// request that was never accepted.
import { beforeAll, describe, expect, it } from "vitest";
import { publishEvent } from "@chorus/platform";
import { eventually, isolatedPerFile } from "@chorus/testing";
import { completedEvent, runDownstreamDouble, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import type { PublicEvent } from "../views/public-event.ts";

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";

const env = isolatedPerFile({ nats: true });
let double: Awaited<ReturnType<typeof runDownstreamDouble>>;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
const database = unreachableDatabase();

beforeAll(async () => {
  env.defer(() => database.close());
  // Accepts only: the test records each request's end itself, while a stream is open.
  double = await runDownstreamDouble(env.nats, { acceptOnly: true });
  env.defer(() => double.stop());
  gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => gateway.stop());
});

type Frame = { id: string; event: string; data: PublicEvent; json: string };

/** Reads SSE frames off a response as they arrive. */
async function* frames(res: Response): AsyncGenerator<Frame> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = Object.fromEntries(block.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
      if (fields.data) yield { id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) as PublicEvent, json: fields.data };
    }
  }
}

async function acceptedRequest(): Promise<string> {
  const res = await gateway.post({ text: TEXT }, { Prefer: "respond-async" });
  const { request_id: id } = (await res.json()) as { request_id: string };
  await eventually(() => double.received.find((c) => c.request_id === id));
  return id;
}

async function finish(id: string) {
  const accepted = double.received.find((c) => c.request_id === id)!;
  await publishEvent(env.nats.js, env.nats.topology, completedEvent(accepted), { msgID: `${id}:end` });
}

describe("the request's events as Server-Sent Events", () => {
  it("replays what happened, then sends events as they are recorded, and ends after the end event", async () => {
    const id = await acceptedRequest();
    const res = await fetch(`${gateway.url}/api/v1/results/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const seen: Frame[] = [];
    for await (const frame of frames(res)) {
      seen.push(frame);
      // Live: the end is recorded only once the replayed acceptance has arrived.
      if (frame.event === "RequestAccepted") await finish(id);
    }
    expect(seen.map((f) => f.event)).toEqual(["RequestAccepted", "RequestCompleted"]);
    expect(seen.every((f) => f.data.request_id === id)).toBe(true);
    expect(Number(seen[1]!.id)).toBeGreaterThan(Number(seen[0]!.id));
  });

  it("resumes after Last-Event-ID, and ends at once when that was the end event", async () => {
    const id = await acceptedRequest();
    await finish(id);
    const all: Frame[] = [];
    for await (const f of frames(await fetch(`${gateway.url}/api/v1/results/${id}/events`))) all.push(f);
    expect(all.map((f) => f.event)).toEqual(["RequestAccepted", "RequestCompleted"]);

    const resumed: Frame[] = [];
    for await (const f of frames(await fetch(`${gateway.url}/api/v1/results/${id}/events`, { headers: { "Last-Event-ID": all[0]!.id } }))) resumed.push(f);
    expect(resumed.map((f) => f.id)).toEqual([all[1]!.id]);

    const afterEnd = await fetch(`${gateway.url}/api/v1/results/${id}/events?last_event_id=${all[1]!.id}`);
    expect(afterEnd.status).toBe(200);
    expect(await afterEnd.text()).toBe("");
  });

  it("ends an open stream when the gateway stops, so shutdown does not wait for the request's end", async () => {
    const id = await acceptedRequest();
    const other = await startTestGateway({ nats: env.nats, database });
    env.defer(() => other.stop());
    const res = await fetch(`${other.url}/api/v1/results/${id}/events`);
    const seen: string[] = [];
    for await (const frame of frames(res)) {
      seen.push(frame.event);
      if (frame.event === "RequestAccepted") await other.stop();
    }
    expect(seen).toEqual(["RequestAccepted"]);
  });

  it("sends each event's public view: the webhook as its URL only, no fingerprint, no idempotency key", async () => {
    const open = await startTestGateway({ nats: env.nats, database, settings: { webhookAllowPrivate: true } });
    env.defer(() => open.stop());
    const secret = "a-webhook-secret-of-some-length";
    const res = await open.post({ text: TEXT, webhook_url: "http://127.0.0.1:9/hook", webhook_secret: secret }, { Prefer: "respond-async", "Idempotency-Key": "sse-public-view" });
    expect(res.status).toBe(202);
    const { request_id: id } = (await res.json()) as { request_id: string };
    const accepted = await eventually(() => double.received.find((c) => c.request_id === id));
    // What is recorded has them all: the stream must be what leaves them out.
    expect(accepted.data.webhook?.secret).toMatch(/^v2\./);
    expect(accepted.data.idempotency_key).toBe("sse-public-view");
    expect(accepted.data.fingerprint).not.toBeNull();
    await finish(id);
    const seen: Frame[] = [];
    for await (const f of frames(await fetch(`${open.url}/api/v1/results/${id}/events`))) seen.push(f);
    expect(seen.map((f) => f.event)).toEqual(["RequestAccepted", "RequestCompleted"]);
    for (const f of seen) {
      expect(f.data.data.webhook).toEqual({ url: "http://127.0.0.1:9/hook" });
      for (const hidden of ['"secret"', accepted.data.webhook!.secret, secret, '"fingerprint"', accepted.data.fingerprint!, '"idempotency_key"', "sse-public-view"]) expect(f.json).not.toContain(hidden);
    }
    expect(seen[0]!.data).toMatchObject({ type: "RequestAccepted", request_id: id, tenant_id: accepted.tenant_id, correlation_id: accepted.correlation_id, id: accepted.id });
    expect(seen[0]!.data.data).toMatchObject({ text: TEXT, agents: accepted.data.agents, agent_timeout_ms: accepted.data.agent_timeout_ms });
  });

  it("answers 404 in the API's error shape for a request that was never accepted", async () => {
    const id = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";
    const res = await fetch(`${gateway.url}/api/v1/results/${id}/events`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "NotFound", message: `no request ${id}`, request_id: id });
  });
});
