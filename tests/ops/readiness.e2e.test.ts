// Readiness follows the broker: with their private NATS gone every service answers
// /readyz 503 (while /livez stays 200), and once NATS is back they turn ready by
// themselves and a request runs through them again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, isolatedDatabase, startService, uniqueName, type IsolatedDatabase, type RunningService } from "@chorus/testing";
import { privateNats, type PrivateNats } from "./private-nats.ts";

const TEXT = "The city council approved the new library on Monday, and residents were delighted with the plan.";

let nats: PrivateNats;
let db: IsolatedDatabase;
const services: RunningService[] = [];

async function status(service: RunningService, path: string): Promise<number> {
  return (await fetch(`${service.url}${path}`)).status;
}

beforeAll(async () => {
  nats = await privateNats();
  await nats.start();
  db = await isolatedDatabase();
  const env = { NATS_URL: nats.url, CHORUS_SUBJECT_PREFIX: uniqueName("t"), DATABASE_URL: db.url, LOG_LEVEL: "error", AGENT_PROVIDER: "local" };
  for (const name of ["orchestrator", "agents", "projector", "webhooks", "gateway"]) services.push(await startService(name, env));
});

afterAll(async () => {
  for (const s of [...services].reverse()) await s.stop();
  await nats?.cleanup();
  await db?.cleanup();
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
    const res = await fetch(`${gateway?.url}/api/v1/process`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: TEXT, agents: ["sentiment"] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("completed");
  });
});
