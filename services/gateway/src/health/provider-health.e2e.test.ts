// /api/v1/health's LLM provider check against a real agents process: the agents report
// their provider's state through NATS, and the gateway shows it, ok or not with the reason.
import { afterEach, describe, expect, it } from "vitest";
import {
  eventually,
  isolatedPerTest,
  startOpenAiServer,
  startService,
  testLogger,
  type RunningService,
  type ScriptedOpenAiServer,
} from "@chorus/testing";
import { connectDatabaseInBackground } from "../database/link.ts";
import { startTestGateway } from "../gateway.fixtures.ts";
import { HealthReport } from "./schema.ts";

// The provider-health bucket lives under the test's prefix, so the NATS clean-up removes it.
const env = isolatedPerTest({ nats: true, database: { migrate: false } });
let agents: RunningService | undefined;
let server: ScriptedOpenAiServer | undefined;

// Runs before the fixture's clean-up (after-hooks run last-registered first), and checks the exit code.
afterEach(async () => {
  if (agents) {
    const code = await agents.stop();
    expect(code, `agents should exit cleanly on SIGTERM:\n${agents.output()}`).toBe(0);
    agents = undefined;
  }
  await server?.close();
  server = undefined;
});

async function gateway() {
  const database = connectDatabaseInBackground({ url: env.db.url, poolSize: 1, logger: testLogger });
  const gw = await startTestGateway({ nats: env.nats, database });
  env.defer(() => database.close());
  env.defer(() => gw.stop());
  await eventually(() => (database.lastError() === undefined ? true : undefined));
  return gw;
}

async function health(url: string): Promise<{ status: number; report: HealthReport }> {
  const res = await fetch(`${url}/api/v1/health`);
  return { status: res.status, report: HealthReport.parse(await res.json()) };
}

describe("the LLM provider in /api/v1/health", () => {
  it("is ok once an agents process on the offline provider has checked it", async () => {
    const gw = await gateway();
    agents = await startService("agents", { ...env.nats.env, AGENT_PROVIDER: "local", LOG_LEVEL: "warn" });
    const { status, report } = await eventually(async () => {
      const h = await health(gw.url);
      return h.status === 200 ? h : undefined;
    });
    expect(status).toBe(200);
    expect(report.status).toBe("healthy");
    expect(report.checks.llm_provider).toMatchObject({
      ok: true,
      provider: "local",
      models: { summarizer: "textrank", sentiment: "wink-sentiment", entity_extractor: "compromise+wink" },
      instance: expect.stringMatching(/:\d+$/),
    });
    expect(report.checks.llm_provider.error).toBeUndefined();
    expect(Date.parse(report.checks.llm_provider.checked_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("turns not ok with the reason when the OpenAI-compatible server stops answering", async () => {
    const gw = await gateway();
    server = await startOpenAiServer();
    agents = await startService("agents", {
      ...env.nats.env,
      AGENT_PROVIDER: "openai",
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: server.baseURL,
      OPENAI_MODEL: "scripted-model",
      // Checked (and reported) twice a second, so the test sees the change soon.
      PROVIDER_CHECK_INTERVAL_MS: "500",
      LOG_LEVEL: "warn",
    });
    const before = await eventually(async () => {
      const h = await health(gw.url);
      return h.status === 200 ? h.report : undefined;
    });
    expect(before.checks.llm_provider).toMatchObject({ ok: true, provider: "openai", model: "scripted-model" });
    expect(server.requests.some((r) => r.method === "GET" && r.path === "/v1/models")).toBe(true);

    await server.close();
    server = undefined;
    const after = await eventually(async () => {
      const h = await health(gw.url);
      return h.status === 503 ? h.report : undefined;
    });
    expect(after.status).toBe("unhealthy");
    expect(after.checks.database.ok).toBe(true);
    expect(after.checks.nats.ok).toBe(true);
    expect(after.checks.llm_provider).toMatchObject({ ok: false, provider: "openai", model: "scripted-model" });
    expect(after.checks.llm_provider.error).toMatch(/^cannot reach the OpenAI API/);
  });

  it("is not ok with 'no agents service has reported' once the agents process has stopped", async () => {
    const gw = await gateway();
    agents = await startService("agents", { ...env.nats.env, AGENT_PROVIDER: "local", AGENT: "sentiment", PROVIDER_CHECK_INTERVAL_MS: "300", LOG_LEVEL: "warn" });
    await eventually(async () => ((await health(gw.url)).status === 200 ? true : undefined));
    expect(await agents.stop()).toBe(0);
    agents = undefined;
    const after = await eventually(async () => {
      const h = await health(gw.url);
      return h.status === 503 ? h.report : undefined;
    });
    expect(after.checks.llm_provider).toMatchObject({ ok: false, provider: "local", model: "wink-sentiment" });
    expect(after.checks.llm_provider.error).toMatch(/^no agents service has reported in the last 1 s/);
  });
});
