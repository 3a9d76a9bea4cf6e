// Start-up before the broker: every service started while nothing listens on its NATS port
// stays alive, answers /livez 200 and /readyz 503 with the reason, logs one JSON line per
// retry, and becomes ready by itself once a nats-server starts on that port. A signal
// while it waits, or a bad configuration, ends it with one JSON line too.
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, isolatedPerFile, postProcess, spawnService, uniqueName, untilReady, type RunningService } from "@chorus/testing";
import { privateNats, type PrivateNats } from "./private-nats.fixtures.ts";

const SERVICES = ["orchestrator", "agents", "projector", "webhooks", "gateway"] as const;
const TEXT = "The city council approved the new library on Monday, and residents were delighted with the plan.";

const isolated = isolatedPerFile({ database: true });
let nats: PrivateNats;
let env: Record<string, string>;

type LogLine = { level: number; service: string; msg: string; step?: string; attempt?: number; exit_code?: number; signal?: string };

/** Every line the process wrote, parsed; a line that is not JSON fails the test. */
function lines(s: RunningService): LogLine[] {
  return s
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`${s.name} wrote a line that is not JSON: ${line}`);
      }
    });
}

const retries = (s: RunningService) => lines(s).filter((l) => l.msg.endsWith("NATS is not available yet; retrying"));

async function spawn(name: string, extra: Record<string, string> = {}): Promise<RunningService> {
  const s = await spawnService(name, { ...env, ...extra });
  isolated.defer(() => s.stop("SIGKILL"));
  return s;
}

beforeAll(async () => {
  nats = await privateNats(); // not started: nothing listens on its port yet
  isolated.defer(() => nats.cleanup());
  env = { NATS_URL: nats.url, CHORUS_SUBJECT_PREFIX: uniqueName("t"), DATABASE_URL: isolated.db.url, AGENT_PROVIDER: "local", LOG_LEVEL: "warn" };
});

describe("starting before NATS", () => {
  it("every service waits alive and not ready, a JSON line per retry, and is ready and working once NATS starts", async () => {
    // The gateway's probes answer on its internal OPS_PORT (probesUrl) until its API starts on PORT.
    const services = await Promise.all(SERVICES.map((name) => spawn(name)));
    for (const s of services) {
      const waiting = await eventually(async () => {
        if (s.process.exitCode !== null) throw new Error(`${s.name} exited:\n${s.output()}`);
        if (retries(s).length < 2) return undefined;
        const res = await fetch(`${s.probesUrl}/readyz`);
        return { status: res.status, body: (await res.json()) as { checks: { startup?: { error?: string } } } };
      }, 45_000, 100);
      expect(waiting.status, s.name).toBe(503);
      expect(waiting.body.checks.startup?.error, s.name).toMatch(/^connecting to NATS: ConnectionError/);
      expect((await fetch(`${s.probesUrl}/livez`)).status, s.name).toBe(200);
      expect(retries(s).slice(0, 2), s.name).toMatchObject([
        { level: 40, service: s.name, step: "connecting to NATS", attempt: 1 },
        { level: 40, service: s.name, step: "connecting to NATS", attempt: 2 },
      ]);
    }

    await nats.start();
    await Promise.all(services.map((s) => untilReady(s, 30_000)));

    const gateway = services.find((s) => s.name === "gateway");
    const submitted = await postProcess(`${gateway?.url}`, { text: TEXT, agents: ["sentiment"] });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe("completed");

    for (const s of [...services].reverse()) expect(await s.stop(), `${s.name}:\n${s.output()}`).toBe(0);
    for (const s of services) expect(lines(s).length, s.name).toBeGreaterThan(0);
  });

  it("a SIGTERM while it waits for NATS ends the process at once with exit 0 and a JSON line", async () => {
    await nats.stop();
    const s = await spawn("orchestrator", { LOG_LEVEL: "info" });
    await eventually(() => (retries(s).length > 0 ? true : undefined), 30_000, 100);
    expect(await s.stop("SIGTERM")).toBe(0);
    // The pipe may deliver the last line after the exit.
    const last = await eventually(() => lines(s).find((l) => l.msg === "stopped while starting"), 5_000);
    expect(last).toMatchObject({ service: "orchestrator", signal: "SIGTERM" });
  });

  it("a bad configuration ends the process with exit 78 and one JSON line naming the variable", async () => {
    const s = await spawn("gateway", { MAX_TEXT_LENGTH: "lots" });
    const written = await eventually(() => (s.process.exitCode !== null && lines(s).length > 0 ? lines(s) : undefined), 30_000);
    expect(s.process.exitCode).toBe(78);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ level: 60, service: "gateway", exit_code: 78 });
    expect(written[0]?.msg).toMatch(/invalid configuration:\n\s+MAX_TEXT_LENGTH: .*\("lots"\)/);
  });

  // NATS is down here: a bad key must end the process before it waits for the broker.
  it.each([
    ["gateway", "the deployment template's placeholder", "CHANGE-ME-32-random-bytes-in-base64", /WEBHOOK_SECRET_KEY: is a placeholder \(it contains "change-me"\)/],
    ["webhooks", "the deployment template's placeholder", "CHANGE-ME-32-random-bytes-in-base64", /WEBHOOK_SECRET_KEY: is a placeholder \(it contains "change-me"\)/],
    ["gateway", "a short key", "0123456789abcdef0123", /WEBHOOK_SECRET_KEY: must be 32 bytes in base64 \(44 characters\) or hex \(64 characters\)/],
    ["webhooks", "a short key", "0123456789abcdef0123", /WEBHOOK_SECRET_KEY: must be 32 bytes in base64 \(44 characters\) or hex \(64 characters\)/],
  ])("with NODE_ENV=production, %s exits 78 on %s as WEBHOOK_SECRET_KEY, with one JSON line naming it and not the value", async (name, _what, value, why) => {
    const s = await spawn(name, { NODE_ENV: "production", WEBHOOK_SECRET_KEY: value });
    const written = await eventually(() => (s.process.exitCode !== null && lines(s).length > 0 ? lines(s) : undefined), 30_000);
    expect(s.process.exitCode).toBe(78);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ level: 60, service: name, exit_code: 78 });
    expect(written[0]?.msg).toMatch(/^invalid configuration:\n/);
    expect(written[0]?.msg).toMatch(why);
    expect(written[0]?.msg).toContain("openssl rand -base64 32");
    expect(s.output()).not.toContain(value);
  });
});
