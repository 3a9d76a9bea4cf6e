// The gateway's edges with keys required, in-process on isolated NATS: a cap on each key's
// open event streams, slow uploads cut off, no CORS origin unless listed, gRPC reflection
// off unless enabled, the admin API's validation, and the open API of CHORUS_AUTH=off.
import { connect } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, isolatedPerFile } from "@chorus/testing";
import { runDownstreamDouble, startTestGateway, testGatewayDeps, unreachableDatabase } from "../gateway.fixtures.ts";
import type { GatewaySettings } from "../deps.ts";
import { startGrpcGateway } from "../grpc/server.ts";
import { listServicesByReflection } from "../grpc/grpc-clients.fixtures.ts";
import { hashApiKey } from "./api-key.ts";

const ADMIN_KEY = "test-admin-key-0123456789abcdef0123456789";
const KEYED: Partial<GatewaySettings> = {
  auth: { mode: "required", adminKeyHash: hashApiKey(ADMIN_KEY), rateLimitPerMinute: 600, maxStreamsPerKey: 2 },
  requestTimeoutMs: 1_000,
  corsOrigins: ["https://app.example"],
};

const env = isolatedPerFile({ nats: true });
const database = unreachableDatabase();
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  env.defer(() => database.close());
  // Accepts only: requests never end, so their event streams stay open.
  const double = await runDownstreamDouble(env.nats, { acceptOnly: true });
  env.defer(() => double.stop());
  gateway = await startTestGateway({ nats: env.nats, database, settings: KEYED });
  env.defer(() => gateway.stop());
});

const api = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);

async function newKey(body: Record<string, unknown>): Promise<Response> {
  return api("/api/v1/admin/keys", { method: "POST", headers: { "content-type": "application/json", ...bearer(ADMIN_KEY) }, body: JSON.stringify(body) });
}

describe("the gateway with API keys required", () => {
  it("refuses a key's event stream beyond its cap with a 429, and frees the slot when a stream closes", async () => {
    const { key } = (await (await newKey({ tenant: "acme", name: "streams", scopes: ["requests:write", "requests:read"] })).json()) as { key: string };
    const submitted = await api("/api/v1/process", { method: "POST", headers: { "content-type": "application/json", prefer: "respond-async", ...bearer(key) }, body: JSON.stringify({ text: "Apple opened an office in Berlin." }) });
    expect(submitted.status).toBe(202);
    const { request_id: id } = (await submitted.json()) as { request_id: string };
    const open = [new AbortController(), new AbortController()];
    for (const c of open) expect((await api(`/api/v1/results/${id}/events`, { headers: bearer(key), signal: c.signal })).status).toBe(200);
    const third = await api(`/api/v1/results/${id}/events`, { headers: bearer(key) });
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: "RateLimited" });
    open[0]!.abort();
    const reopened = new AbortController();
    try {
      await expect
        .poll(async () => (await api(`/api/v1/results/${id}/events`, { headers: bearer(key), signal: reopened.signal })).status, { timeout: 5_000 })
        .toBe(200);
    } finally {
      reopened.abort();
      open[1]!.abort();
    }
  });

  it("cuts off an upload that does not finish within API_REQUEST_TIMEOUT_MS", async () => {
    const { key } = (await (await newKey({ tenant: "acme", name: "slow", scopes: ["requests:write"] })).json()) as { key: string };
    const { port } = new URL(gateway.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(`POST /api/v1/process HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":`);
      });
      let received = "";
      socket.on("data", (d: Buffer) => (received += d.toString()));
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
      setTimeout(() => socket.destroy(new Error("the server kept a stalled upload open")), 15_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("allows only the browser origins CORS_ORIGINS lists", async () => {
    const preflight = (origin: string) => api("/api/v1/results", { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } });
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await preflight("https://app.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  it("validates what creating a key takes", async () => {
    const bad = await newKey({ tenant: "not a tenant!", name: "", scopes: ["everything"] });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { details: { field: string }[] };
    expect(body.details.map((d) => d.field).sort()).toEqual(["name", "scopes.0", "tenant"]);
    expect((await newKey({ tenant: "acme", name: "x", scopes: [] })).status).toBe(422);
    const made = await newKey({ tenant: "acme", name: "x", scopes: ["requests:read", "requests:read"], rate_limit_per_minute: 5 });
    expect(made.status).toBe(201);
    expect(made.headers.get("cache-control")).toBe("no-store");
    expect(await made.json()).toMatchObject({ tenant: "acme", scopes: ["requests:read"], rate_limit_per_minute: 5, key: expect.stringMatching(/^chorus_sk_/) });
  });

  // grpc.int.test.ts uses reflection with GRPC_REFLECTION on.
  it("serves no gRPC reflection unless enabled", async () => {
    const off = await startGrpcGateway({ ...testGatewayDeps({ nats: env.nats, database, access: gateway.access, settings: KEYED }), port: 0, host: "127.0.0.1" });
    env.defer(() => off.stop());
    const err = await listServicesByReflection(`127.0.0.1:${off.port}`).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});

describe("the gateway with CHORUS_AUTH=off", () => {
  it("answers without a key and says so in its health", async () => {
    const open = await startTestGateway({ nats: env.nats, database });
    env.defer(() => open.stop());
    expect((await fetch(`${open.url}/api/v1/results`)).status).not.toBe(401);
    const health = (await (await fetch(`${open.url}/api/v1/health`)).json()) as { auth: string; checks: { database: { error?: string } } };
    expect(health.auth).toBe("off");
    // The earlier service's detailed report, for a trusted network.
    expect(health.checks.database.error).toEqual(expect.any(String));
    // No keys can be made while anyone may call: they would be valid once keys are required.
    const minted = await fetch(`${open.url}/api/v1/admin/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tenant: "acme", name: "x", scopes: ["admin"] }) });
    expect(minted.status).toBe(403);
  });
});
