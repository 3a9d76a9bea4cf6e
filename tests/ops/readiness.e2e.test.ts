// Readiness follows the broker: with their private NATS gone every service answers
// /readyz 503 (while /livez stays 200), and once NATS is back they turn ready by
// themselves and a request runs through them again.
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, isolatedPerFile, postProcess, startService, uniqueName, type RunningService } from "@chorus/testing";
import { privateNats, type PrivateNats } from "./private-nats.fixtures.ts";

const TEXT = "The city council approved the new library on Monday, and residents were delighted with the plan.";

const isolated = isolatedPerFile({ database: true });
let nats: PrivateNats;
const services: RunningService[] = [];

async function status(service: RunningService, path: string): Promise<number> {
  return (await fetch(`${service.url}${path}`)).status;
}

beforeAll(async () => {
  nats = await privateNats();
  isolated.defer(() => nats.cleanup());
  await nats.start();
  const env = { NATS_URL: nats.url, CHORUS_SUBJECT_PREFIX: uniqueName("t"), DATABASE_URL: isolated.db.url, LOG_LEVEL: "error", AGENT_PROVIDER: "local" };
  for (const name of ["orchestrator", "agents", "projector", "webhooks", "gateway"]) {
    const service = await startService(name, env);
    isolated.defer(() => service.stop());
    services.push(service);
  }
});

describe("readiness when NATS goes away and comes back", () => {
  it("turns every service not ready while NATS is down and ready again, consuming, once it returns", async () => {
    for (const s of services) expect(await status(s, "/readyz"), s.name).toBe(200);

    await nats.stop();
    for (const s of services) {
      await eventually(async () => ((await status(s, "/readyz")) === 503 ? true : undefined), 20_000, 200);
      expect(await status(s, "/livez"), s.name).toBe(200);
    }

    await nats.start();
    for (const s of services) await eventually(async () => ((await status(s, "/readyz")) === 200 ? true : undefined), 30_000, 200);

    const gateway = services.find((s) => s.name === "gateway");
    const submitted = await postProcess(`${gateway?.url}`, { text: TEXT, agents: ["sentiment"] });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe("completed");
  });
});
