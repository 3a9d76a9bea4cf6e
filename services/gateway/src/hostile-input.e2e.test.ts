// Input that the API accepts must never get stuck downstream: on the whole pipeline as
// processes, text with NUL, lone surrogates and other control characters, sent through
// REST, gRPC and the inbound webhook, is either refused with a 422 (INVALID_ARGUMENT) or
// becomes a request that ends, is stored in the read model and reads back as sent. With
// API keys required, as in production.
import { randomUUID } from "node:crypto";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestView } from "@chorus/contracts";
import { bearer, createApiKey, eventually, startPipeline, type IsolatedNats, type RunningPipeline, type RunningService } from "@chorus/testing";
import { signatureHeaders } from "@chorus/webhook-security";
import { orchestrationClient, type OrchestrationClient } from "./grpc/grpc-clients.fixtures.ts";

const BASE = "Apple opened a new office in Berlin on Monday";
const INBOUND_SECRET = "inbound-secret-for-hostile-input";

let pipeline: RunningPipeline;
let nats: IsolatedNats;
let gateway: RunningService;
let grpc: OrchestrationClient;
let auth: Record<string, string>;

beforeAll(async () => {
  pipeline = await startPipeline({ auth: true, env: { AGENT_PROVIDER: "local" }, gatewayEnv: { WEBHOOK_INBOUND_SECRET: INBOUND_SECRET } });
  ({ nats, gateway } = pipeline);
  // Inbound webhooks start requests of the deployment's tenant (CHORUS_TENANT_ID, "default"): the key reads them.
  const { key } = await createApiKey(gateway.url, pipeline.adminKey!, { tenant: "default", scopes: ["requests:write", "requests:read"] });
  auth = bearer(key);
  grpc = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`, { apiKey: key });
});

afterAll(async () => {
  grpc?.close();
  await pipeline?.stop();
});

/** Refused at the edge: Postgres cannot store them, and a lone surrogate has no UTF-8 form. */
const UNSTORABLE: [string, string][] = [
  ["a NUL character", `${BASE}\u0000, and investors cheered.`],
  ["a lone high surrogate", `${BASE}\ud800, and investors cheered.`],
  ["a lone low surrogate", `\udfff${BASE}, and investors cheered.`],
  ["a reversed surrogate pair", `${BASE} \ude00\ud83d and investors cheered.`],
];

/** Stored and analysed as given. */
const STORABLE: [string, string][] = [
  ["C0 controls and escape sequences", `${BASE}\u0001\u0002\u001b[31m red \u001b[0m\u0007\b, and investors cheered.`],
  ["DEL and C1 controls", `${BASE}\u007f\u0085\u009b, and investors cheered.`],
  ["line and paragraph separators", `${BASE}.\u2028Investors cheered.\u2029The plan grew.`],
  ["a byte order mark and zero-width characters", `\ufeff${BASE}\u200b\u200d\u2060, and investors cheered.`],
  ["bidirectional overrides", `${BASE} \u202eSIHT DAER\u202c, and investors cheered.`],
  ["tabs, carriage returns and form feeds", `${BASE}\t\r\n\f\v and investors cheered.`],
  ["astral characters and a noncharacter", `${BASE} 😀𝔘𝔫𝔦 \uffff and investors cheered.`],
];

const restSubmit = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/api/v1/process`, { method: "POST", headers: { "content-type": "application/json", prefer: "respond-async", ...auth, ...headers }, body });

/** Standard Webhooks headers only (a fresh webhook-id each time): the inbound route refuses the legacy header and replays. */
function standardWebhookHeaders(body: string): Record<string, string> {
  const headers = signatureHeaders(INBOUND_SECRET, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
  delete headers["X-Webhook-Signature"];
  return headers;
}

const inboundSubmit = (text: string) => {
  // JSON.stringify escapes lone surrogates as \udxxx (well-formed JSON.stringify), as a sender would send them.
  const body = JSON.stringify({ text });
  return fetch(`${gateway.url}/webhook/receive`, {
    method: "POST",
    headers: { "content-type": "application/json", ...standardWebhookHeaders(body) },
    body,
  });
};

/** The request ends, its row is in the read model (the list reads nothing else) and it reads back. */
async function expectEndsAndReadsBack(requestId: string) {
  const listed = await eventually(async () => {
    const page = (await (await fetch(`${gateway.url}/api/v1/results?page_size=100`, { headers: auth })).json()) as { items: RequestView[] };
    const row = page.items.find((v) => v.request_id === requestId);
    return row && row.status !== "pending" && row.status !== "processing" ? row : undefined;
  }, 60_000);
  expect(listed.status).toBe("completed");
  // Stored as sent: the projector refused nothing of it.
  expect(listed.projection_error).toBeUndefined();
  const res = await fetch(`${gateway.url}/api/v1/results/${requestId}`, { headers: auth });
  expect(res.status).toBe(200);
  const view = RequestView.parse(await res.json());
  expect(view.status).toBe("completed");
  for (const result of Object.values(view.results)) expect(result?.status).toBe("completed");
}

describe("hostile text through every way in", () => {
  it.each(UNSTORABLE)("refuses text with %s with a 422 naming the problem, through REST, gRPC and the inbound webhook", async (_name, text) => {
    const rest = await restSubmit(JSON.stringify({ text }));
    expect(rest.status).toBe(422);
    const body = (await rest.json()) as { error: string; details: { field: string; message: string }[] };
    expect(body.error).toBe("ValidationError");
    expect(body.details[0]?.field).toBe("text");
    expect(body.details[0]?.message).toMatch(/NUL character|unpaired UTF-16 surrogate/);

    const inbound = await inboundSubmit(text);
    expect(inbound.status).toBe(422);

    // gRPC carries strings as UTF-8: a lone surrogate arrives as U+FFFD (the client's encoder
    // replaces it) and is then a storable text; a NUL arrives as sent and is refused.
    const viaGrpc = await grpc.submit({ text, respond_async: true }).then(
      (res) => ({ ok: true as const, id: res.request.request_id }),
      (err: { code: number; details: string }) => ({ ok: false as const, err }),
    );
    if (text.includes("\u0000")) {
      expect(viaGrpc.ok).toBe(false);
      if (!viaGrpc.ok) {
        expect(viaGrpc.err.code).toBe(grpcStatus.INVALID_ARGUMENT);
        expect(viaGrpc.err.details).toContain("NUL character");
      }
    } else {
      expect(viaGrpc.ok).toBe(true);
      if (viaGrpc.ok) await expectEndsAndReadsBack(viaGrpc.id);
    }
  });

  it.each(STORABLE)("runs text with %s to its end, stores it and reads it back, through REST, gRPC and the inbound webhook", async (_name, text) => {
    const rest = await restSubmit(JSON.stringify({ text }));
    expect(rest.status).toBe(202);
    const inbound = await inboundSubmit(text);
    expect(inbound.status).toBe(202);
    const viaGrpc = await grpc.submit({ text, respond_async: true });
    const ids = [((await rest.json()) as RequestView).request_id, ((await inbound.json()) as RequestView).request_id, viaGrpc.request.request_id];
    for (const id of ids) await expectEndsAndReadsBack(id);
    // The text reached the agents as sent: their tasks' text is the accepted event's.
    const accepted = await nats.jsm.streams.getMessage(nats.topology.streams.events, { last_by_subj: nats.topology.subjects.requestEvent(ids[0]!, "accepted") });
    expect((accepted?.json() as { data: { text: string } }).data.text).toBe(text);
  });
});
