import { describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { PROVIDER_HEALTH_KEY, providerHealthBucket, type ProviderHealthReport } from "@chorus/contracts";
import { eventually, isolatedPerTest, testLogger } from "@chorus/testing";
import { connectDatabaseInBackground, type DatabaseLink } from "../database/link.ts";
import { startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { HealthReport } from "./schema.ts";

// The provider-health bucket lives under the test's prefix, so the NATS clean-up removes it.
const env = isolatedPerTest({ nats: true, database: { migrate: false } });

/** Writes a provider check as an agents replica does. */
async function reportProviderCheck(overrides: Partial<ProviderHealthReport> = {}) {
  const kv = await new Kvm(env.nats.js).create(providerHealthBucket(env.nats.topology), { history: 1, storage: "memory" });
  const report: ProviderHealthReport = {
    provider: "local",
    models: { summarizer: "textrank", sentiment: "wink-sentiment", entity_extractor: "compromise+wink" },
    ok: true,
    checked_at: new Date().toISOString(),
    interval_ms: 30_000,
    instance: "test-host:1",
    ...overrides,
  };
  await kv.put(PROVIDER_HEALTH_KEY, JSON.stringify(report));
}

async function liveDatabase() {
  // The real background link, as main.ts uses it, against a live database.
  const database = connectDatabaseInBackground({ url: env.db.url, poolSize: 1, logger: testLogger });
  const gateway = await gatewayOver(database);
  await eventually(() => (database.lastError() === undefined ? true : undefined));
  return gateway;
}

async function gatewayOver(database: DatabaseLink) {
  const gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => database.close());
  env.defer(() => gateway.stop());
  return gateway;
}

describe("health and probes", () => {
  it("answers 200 healthy when Postgres and NATS answer and an agents replica reported its provider answering", async () => {
    const gateway = await liveDatabase();
    await reportProviderCheck();
    const fresh = await fetch(`${gateway.url}/api/v1/health`);
    expect(fresh.status).toBe(200);
    const report = HealthReport.strict().parse(await fresh.json());
    expect(report.status).toBe("healthy");
    expect(report.checks.database.ok).toBe(true);
    expect(report.checks.nats.ok).toBe(true);
    expect(report.checks.llm_provider).toMatchObject({ ok: true, provider: "local", instance: "test-host:1" });
    expect(report.checks.llm_provider.model).toBeUndefined();
  });

  it("answers 503 unhealthy naming the provider when no agents service has reported", async () => {
    const gateway = await liveDatabase();
    const res = await fetch(`${gateway.url}/api/v1/health`);
    expect(res.status).toBe(503);
    const report = HealthReport.parse(await res.json());
    expect(report.status).toBe("unhealthy");
    expect(report.checks.database.ok).toBe(true);
    expect(report.checks.nats.ok).toBe(true);
    expect(report.checks.llm_provider).toEqual({
      ok: false,
      error: "no agents service has reported a provider check (none is running, or none has finished starting)",
    });
  });

  it("answers 503 unhealthy when the last report is older than three of its check intervals", async () => {
    const gateway = await liveDatabase();
    await reportProviderCheck({ checked_at: new Date(Date.now() - 91_000).toISOString() });
    const res = await fetch(`${gateway.url}/api/v1/health`);
    expect(res.status).toBe(503);
    expect(HealthReport.parse(await res.json()).checks.llm_provider).toMatchObject({
      ok: false,
      provider: "local",
      error: expect.stringMatching(/^no agents service has reported in the last 90 s \(the last report, from test-host:1, is from /),
    });
  });

  it("answers 503 with the provider's reason when the agents reported it failing", async () => {
    const gateway = await liveDatabase();
    await reportProviderCheck({ provider: "openai", models: { sentiment: "gpt-4o-mini" }, ok: false, error: "cannot reach the OpenAI API: Connection error." });
    const res = await fetch(`${gateway.url}/api/v1/health`);
    expect(res.status).toBe(503);
    expect(HealthReport.parse(await res.json()).checks.llm_provider).toMatchObject({
      ok: false,
      provider: "openai",
      model: "gpt-4o-mini",
      error: "cannot reach the OpenAI API: Connection error.",
    });
  });

  it("answers 503 unhealthy naming the database when Postgres cannot be reached", async () => {
    const gateway = await gatewayOver(unreachableDatabase());
    const res = await fetch(`${gateway.url}/api/v1/health`);
    expect(res.status).toBe(503);
    const report = HealthReport.parse(await res.json());
    expect(report.status).toBe("unhealthy");
    expect(report.checks.database.ok).toBe(false);
    expect(report.checks.database.error).toMatch(/connect|ECONNREFUSED/);
    expect(report.checks.nats.ok).toBe(true);
  });

  it("stays ready without Postgres (ingest works), and is alive", async () => {
    const gateway = await gatewayOver(unreachableDatabase());
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { nats: { ok: true } } });
    const live = await fetch(`${gateway.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    // None was sent, so the gateway made one.
    expect(live.headers.get("x-correlation-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("sets CORS headers for any origin by default", async () => {
    const gateway = await gatewayOver(unreachableDatabase());
    const res = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://app.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Correlation-ID");
  });

  it("allows only the configured origins when CORS_ORIGINS lists them", async () => {
    const database = unreachableDatabase();
    const gateway = await startTestGateway({ nats: env.nats, database, settings: { corsOrigins: ["https://app.example"] } });
    env.defer(() => database.close());
    env.defer(() => gateway.stop());
    const allowed = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
