import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, isolatedDatabase, isolatedNats, testLogger, type IsolatedDatabase, type IsolatedNats } from "@chorus/testing";
import { connectDatabaseInBackground, type DatabaseLink } from "../database/link.ts";
import { startTestGateway, unreachableDatabase } from "../test-support.ts";
import { HealthReport } from "./schema.ts";

let nats: IsolatedNats;
let db: IsolatedDatabase;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  nats = await isolatedNats();
  db = await isolatedDatabase({ migrate: false });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.cleanup();
  await nats.cleanup();
});

async function gatewayOver(database: DatabaseLink) {
  const gateway = await startTestGateway({ nats, database });
  cleanups.push(() => database.close(), () => gateway.stop());
  return gateway;
}

describe("health and probes", () => {
  it("answers 200 healthy when Postgres and NATS answer", async () => {
    // The real background link, as main.ts uses it, against a live database.
    const database = connectDatabaseInBackground({ url: db.url, poolSize: 1, logger: testLogger });
    const gateway = await gatewayOver(database);
    await eventually(() => (database.lastError() === undefined ? true : undefined));
    const res = await fetch(`${gateway.url}/api/v1/health`);
    expect(res.status).toBe(200);
    const report = HealthReport.strict().parse(await res.json());
    expect(report.status).toBe("healthy");
    expect(report.checks.database.ok).toBe(true);
    expect(report.checks.nats.ok).toBe(true);
    expect(report.checks.llm_provider).toEqual({ ok: true, provider: "local" });
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
    expect(live.headers.get("x-correlation-id")).toBeTruthy();
  });

  it("sets CORS headers for any origin by default", async () => {
    const gateway = await gatewayOver(unreachableDatabase());
    const res = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://app.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Correlation-ID");
  });

  it("allows only the configured origins when CORS_ORIGINS lists them", async () => {
    const database = unreachableDatabase();
    const gateway = await startTestGateway({ nats, database, settings: { corsOrigins: ["https://app.example"] } });
    cleanups.push(() => database.close(), () => gateway.stop());
    const allowed = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await fetch(`${gateway.url}/livez`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
