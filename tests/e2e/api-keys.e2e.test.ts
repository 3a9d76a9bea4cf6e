// API keys and tenants on the whole pipeline as processes, with two gateway replicas: two
// tenants' keys over REST, SSE and gRPC (another tenant's request is a 404 everywhere),
// scopes (401 / 403), revocation on every replica within 5 s, one rate limit shared by the
// replicas, and what is recorded (tenant and key id on the request, key events, never a key).
import { status as grpcStatus, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyEvent, type RequestView } from "@chorus/contracts";
import { bearer, createApiKey, eventually, recordedEventsOf, requestRoutes, startPipeline, type CreatedApiKey, type RunningPipeline, type RunningService } from "@chorus/testing";
import { orchestrationClient } from "../../services/gateway/src/grpc/grpc-clients.fixtures.ts";

const TEXT = "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.";
const ALL_REQUEST_SCOPES = ["requests:write", "requests:read", "webhooks:write"];

let pipeline: RunningPipeline;
let first: RunningService;
let second: RunningService;
let admin: Record<string, string>;
let acme: CreatedApiKey;
let globex: CreatedApiKey;

beforeAll(async () => {
  pipeline = await startPipeline({ auth: true, env: { AGENT_PROVIDER: "local" }, gatewayEnv: { WEBHOOK_ALLOW_PRIVATE: "true" } });
  first = pipeline.gateway;
  admin = bearer(pipeline.adminKey!);
  acme = await createApiKey(first.url, pipeline.adminKey!, { tenant: "acme", scopes: ALL_REQUEST_SCOPES });
  globex = await createApiKey(first.url, pipeline.adminKey!, { tenant: "globex", scopes: ALL_REQUEST_SCOPES });
  // Delivers webhooks, so a request has attempts in its webhook log.
  await pipeline.startReplica("webhooks", { WEBHOOK_ALLOW_PRIVATE: "true" });
  // Started after the keys were made: it reads them from the keys stream when it starts.
  second = await pipeline.startReplica("gateway", { GRPC_PORT: "0", WEBHOOK_ALLOW_PRIVATE: "true" });
  expect((await call(second, "/api/v1/results", { key: acme.key })).status).toBe(200);
});

afterAll(async () => {
  await pipeline?.stop();
});

const call = (gateway: RunningService, path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${gateway.url}${path}`, { ...init, headers: { "content-type": "application/json", ...(init.key ? bearer(init.key) : {}), ...(init.headers as Record<string, string>) } });

async function submit(key: string, body: Record<string, unknown> = { text: TEXT }, headers: Record<string, string> = {}): Promise<RequestView> {
  const res = await call(first, "/api/v1/process", { method: "POST", key, body: JSON.stringify(body), headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as RequestView;
}

async function grpcFailure(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => undefined,
    (e: ServiceError) => e,
  );
  if (!err) throw new Error("the call succeeded");
  return err;
}

describe("API keys and tenants", () => {
  it("answers 401 with WWW-Authenticate for no key, a malformed key, an unknown key; the health summary stays public", async () => {
    for (const key of [undefined, "not-a-key", `chorus_sk_${"A".repeat(43)}`]) {
      const res = await call(first, "/api/v1/results", key ? { key } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ error: "Unauthorized" });
    }
    const health = await call(first, "/api/v1/health");
    const summary = (await health.json()) as { auth: string; checks: Record<string, Record<string, unknown>> };
    expect(summary.auth).toBe("required");
    // Error texts and hosts are for operators: none in the public summary.
    for (const check of Object.values(summary.checks)) expect(Object.keys(check).sort()).not.toContain("error");
    expect(summary.checks.llm_provider).not.toHaveProperty("instance");
    expect((await call(first, "/metrics")).status).toBe(401);
    expect((await call(first, "/metrics", { key: pipeline.adminKey! })).status).toBe(200);
  });

  it("keeps each tenant to its own requests: another tenant's request is a 404 over REST, SSE, webhook logs, retry and gRPC", async () => {
    // With a webhook (to a closed port: its attempts fail), so the request has delivery attempts to hide.
    const submitted = await call(first, "/api/v1/process", {
      method: "POST",
      key: acme.key,
      body: JSON.stringify({ text: TEXT, webhook_url: "http://127.0.0.1:9/hook", webhook_secret: "a-secret-of-16-chars-or-more" }),
    });
    expect(submitted.status).toBe(202);
    const id = ((await submitted.json()) as RequestView).request_id;
    await eventually(async () => {
      const logs = (await (await call(first, `/api/v1/webhook-logs/${id}`, { key: acme.key })).json()) as { attempts?: unknown[] };
      return logs.attempts && logs.attempts.length > 0 ? true : undefined;
    }, 30_000);
    for (const gateway of [first, second]) {
      expect((await call(gateway, `/api/v1/results/${id}`, { key: acme.key })).status).toBe(200);
      for (const [method, path] of requestRoutes(id)) {
        const res = await call(gateway, path, { method, key: globex.key });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(await res.json()).toMatchObject({ error: "NotFound" });
      }
    }
    const theirs = await submit(globex.key);
    const listed = async (key: string) => {
      const page = (await (await call(second, "/api/v1/results?page_size=100", { key })).json()) as { items: RequestView[] };
      return page.items.map((v) => v.request_id);
    };
    const acmeIds = await eventually(async () => {
      const ids = await listed(acme.key);
      return ids.includes(id) ? ids : undefined;
    });
    expect(acmeIds).not.toContain(theirs.request_id);
    const globexIds = await eventually(async () => {
      const ids = await listed(globex.key);
      return ids.includes(theirs.request_id) ? ids : undefined;
    });
    expect(globexIds).not.toContain(id);

    const asGlobex = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`, { apiKey: globex.key });
    const asAcme = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`, { apiKey: acme.key });
    try {
      expect((await asAcme.getRequest({ request_id: id })).request_id).toBe(id);
      expect((await grpcFailure(asGlobex.getRequest({ request_id: id }))).code).toBe(grpcStatus.NOT_FOUND);
      expect((await grpcFailure(asGlobex.watch(id))).code).toBe(grpcStatus.NOT_FOUND);
      const listed = await asGlobex.listRequests({ page_size: 100 });
      expect(listed.items.map((r) => r.request_id)).not.toContain(id);
    } finally {
      asGlobex.close();
      asAcme.close();
    }
  });

  it("scopes what a key may do: 403 without the scope, over REST and gRPC; no key at all is UNAUTHENTICATED", async () => {
    const reader = await createApiKey(first.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read"] });
    const writer = await createApiKey(first.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:write"] });
    const submitted = await call(first, "/api/v1/process", { method: "POST", key: reader.key, body: JSON.stringify({ text: TEXT }) });
    expect(submitted.status).toBe(403);
    expect(await submitted.json()).toMatchObject({ error: "Forbidden" });
    expect((await call(first, "/api/v1/results", { key: writer.key })).status).toBe(403);
    expect((await call(first, "/api/v1/admin/keys", { key: acme.key })).status).toBe(403);
    // The bootstrap key manages keys and nothing else.
    expect((await call(first, "/api/v1/results", { key: pipeline.adminKey! })).status).toBe(403);

    const asReader = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`, { apiKey: reader.key });
    const anonymous = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`);
    try {
      expect((await grpcFailure(asReader.submit({ text: TEXT, respond_async: true }))).code).toBe(grpcStatus.PERMISSION_DENIED);
      expect((await grpcFailure(anonymous.listRequests({}))).code).toBe(grpcStatus.UNAUTHENTICATED);
    } finally {
      asReader.close();
      anonymous.close();
    }
  });

  it("lists keys without key material, with when each was last used, and refuses a revoked key on every replica within 5 s", async () => {
    const made = await createApiKey(first.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read"], name: "to revoke" });
    // Created on one replica, usable on the other.
    await eventually(async () => ((await call(second, "/api/v1/results", { key: made.key })).status === 200 ? true : undefined), 5_000);

    // The last use is recorded in the background: the listing shows it once it has landed.
    const listing = await eventually(async () => {
      const text = await (await call(second, "/api/v1/admin/keys", { headers: admin })).text();
      const found = (JSON.parse(text) as { keys: Record<string, unknown>[] }).keys.find((k) => k.id === made.id);
      return found?.last_used_at ? text : undefined;
    });
    expect(listing).not.toContain(made.key);
    const listed = (JSON.parse(listing) as { keys: Record<string, unknown>[] }).keys.find((k) => k.id === made.id);
    expect(listed).toMatchObject({ tenant: "acme", name: "to revoke", scopes: ["requests:read"], revoked_at: null });
    expect(listed).not.toHaveProperty("key");
    expect(listed).not.toHaveProperty("key_hash");
    expect(listed?.last_used_at).toEqual(expect.any(String));

    expect((await call(first, `/api/v1/admin/keys/${made.id}`, { method: "DELETE", headers: admin })).status).toBe(204);
    const revokedAt = Date.now();
    for (const gateway of [first, second]) {
      await eventually(async () => ((await call(gateway, "/api/v1/results", { key: made.key })).status === 401 ? true : undefined), Math.max(100, 5_000 - (Date.now() - revokedAt)));
    }
    const after = (await (await call(first, "/api/v1/admin/keys", { headers: admin })).json()) as { keys: { id: string; revoked_at: string | null }[] };
    expect(after.keys.find((k) => k.id === made.id)?.revoked_at).toEqual(expect.any(String));
    expect((await call(first, "/api/v1/admin/keys/key_ffffffffffffffff", { method: "DELETE", headers: admin })).status).toBe(404);
  });

  it("shares one rate limit between the replicas: 429 with Retry-After and RateLimit headers once the key's budget is spent", async () => {
    const limited = await createApiKey(first.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read"], rate_limit_per_minute: 10 });
    const statuses: number[] = [];
    let refused: Response | undefined;
    const started = Date.now();
    for (let i = 0; i < 14; i++) {
      const res = await call(i % 2 === 0 ? first : second, "/api/v1/results?page_size=1", { key: limited.key });
      statuses.push(res.status);
      if (res.status === 200) expect(res.headers.get("ratelimit-policy")).toBe('"per-key";q=10;w=60');
      if (res.status === 429) refused ??= res;
    }
    // The budget refills one call every 6 s: on a slow machine a refill may land between the calls.
    const refills = Math.floor((Date.now() - started) / 6_000);
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(10);
    expect(allowed).toBeLessThanOrEqual(10 + refills);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(refused).toBeDefined();
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused?.headers.get("ratelimit")).toMatch(/^"per-key";r=0;t=\d+$/);
    expect(await refused?.json()).toMatchObject({ error: "RateLimited" });
  });

  it("scopes Idempotency-Keys per tenant and records the tenant and key id on the request, and key events without the key", async () => {
    const key = `same-key-${Date.now()}`;
    const a = await submit(acme.key, { text: TEXT }, { "Idempotency-Key": key });
    const b = await submit(globex.key, { text: TEXT }, { "Idempotency-Key": key });
    expect(a.request_id).not.toBe(b.request_id);

    const accepted = (await recordedEventsOf(pipeline.nats, a.request_id)).find((e) => e.type === "RequestAccepted");
    expect(accepted?.tenant_id).toBe("acme");
    expect(accepted?.type === "RequestAccepted" && accepted.data.submitted_by_key).toBe(acme.id);

    const t = pipeline.nats.topology;
    const info = await pipeline.nats.jsm.streams.info(t.streams.keys);
    const raw: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await pipeline.nats.jsm.streams.getMessage(t.streams.keys, { seq });
      if (m) raw.push(m.string());
    }
    const events = raw.map((r) => ApiKeyEvent.parse(JSON.parse(r)));
    expect(events.find((e) => e.key_id === acme.id && e.type === "ApiKeyCreated")).toMatchObject({ tenant_id: "acme", by_key_id: "bootstrap" });
    expect(events.some((e) => e.type === "ApiKeyRevoked")).toBe(true);
    for (const created of [acme, globex]) expect(raw.join("\n")).not.toContain(created.key);
  });
});
