// GET /api/v1/auth/key in-process on isolated NATS: a key learns its tenant, id, scopes
// and rate limit whatever its scopes; no key, a wrong one or a revoked one is a 401; with
// CHORUS_AUTH=off it describes the open caller.
import { afterAll, describe, expect, it } from "vitest";
import { API_SCOPES } from "@chorus/contracts";
import { bearer, isolatedPerFile } from "@chorus/testing";
import { hashApiKey } from "../auth/index.ts";
import type { GatewaySettings } from "../deps.ts";
import { startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { KeyIdentity } from "./schema.ts";

const ADMIN_KEY = "test-admin-key-whoami-0123456789abcdef0123";
const KEYED: Partial<GatewaySettings> = { tenantId: "deployment", auth: { mode: "required", adminKeyHash: hashApiKey(ADMIN_KEY), rateLimitPerMinute: 600, maxStreamsPerKey: 2 } };

const env = isolatedPerFile({ nats: true });
const database = unreachableDatabase();
afterAll(() => database.close());

describe("GET /api/v1/auth/key", () => {
  it("with keys required: names a key of any scope, the bootstrap admin key, and refuses no key, an unknown key and a revoked key", async () => {
    const gateway = await startTestGateway({ nats: env.nats, database, settings: KEYED });
    env.defer(() => gateway.stop());
    const whoami = (headers: Record<string, string> = {}) => fetch(`${gateway.url}/api/v1/auth/key`, { headers, signal: AbortSignal.timeout(10_000) });

    const created = await fetch(`${gateway.url}/api/v1/admin/keys`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(ADMIN_KEY) },
      body: JSON.stringify({ tenant: "acme", name: "reader", scopes: ["requests:read"], rate_limit_per_minute: 77 }),
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };

    // Keys reach the registry through the keys stream: wait until this replica knows the key.
    await expect.poll(async () => (await whoami(bearer(key))).status, { timeout: 15_000 }).toBe(200);
    const mine = await whoami(bearer(key));
    expect(mine.headers.get("cache-control")).toBe("no-store");
    expect(mine.headers.get("ratelimit-policy")).toMatch(/q=77/);
    expect(KeyIdentity.parse(await mine.json())).toEqual({ tenant: "acme", key_id: id, scopes: ["requests:read"], rate_limit_per_minute: 77, auth: "required" });

    const admin = await whoami(bearer(ADMIN_KEY));
    expect(await admin.json()).toEqual({ tenant: "deployment", key_id: "bootstrap", scopes: ["admin"], rate_limit_per_minute: 600, auth: "required" });

    const none = await whoami();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await whoami(bearer("chorus_sk_" + "x".repeat(43)))).status).toBe(401);

    expect((await fetch(`${gateway.url}/api/v1/admin/keys/${id}`, { method: "DELETE", headers: bearer(ADMIN_KEY) })).status).toBe(204);
    await expect.poll(async () => (await whoami(bearer(key))).status, { timeout: 15_000 }).toBe(401);
  });

  it("with CHORUS_AUTH=off: describes the open caller, key or not", async () => {
    const gateway = await startTestGateway({ nats: env.nats, database, settings: { tenantId: "deployment" } });
    env.defer(() => gateway.stop());
    for (const headers of [{}, bearer("anything")]) {
      const res = await fetch(`${gateway.url}/api/v1/auth/key`, { headers, signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(KeyIdentity.parse(await res.json())).toEqual({ tenant: "deployment", key_id: null, scopes: [...API_SCOPES], rate_limit_per_minute: null, auth: "off" });
    }
  });
});
