// Chorus as npm start runs it: services sharing processes (services/run.ts), the gateway
// with the agents and the orchestrator with the projector and the webhooks. A request runs
// end to end and reaches the read models; SIGKILL of either process under load loses and
// duplicates nothing once it is back; SIGTERM stops every service of a process before it
// exits 0; and a port variable every service of a process would share is refused.
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "@chorus/platform";
import { isEndEvent, type ChorusEvent } from "@chorus/contracts";
import { eventually, isolatedPerTest, postProcess, recordedEventsOf, spawnServiceGroup, startServiceGroup, type RunningService } from "@chorus/testing";

const FRONT = ["gateway", "agents"] as const;
const BACK = ["orchestrator", "projector", "webhooks"] as const;
const TEXT = "The city council approved the new library in Leeds on Monday, and residents were delighted with the plan.";

const isolated = isolatedPerTest({ nats: true, database: true });
let processes: RunningService[] = [];

afterEach(async () => {
  await Promise.all(processes.map((p) => p.stop("SIGKILL")));
  processes = [];
});

const env = () => ({ ...isolated.nats.env, DATABASE_URL: isolated.db.url, LOG_LEVEL: "info", AGENT_PROVIDER: "local" });

async function start(names: readonly string[], ports?: Record<string, number>) {
  const group = await startServiceGroup(names, env(), ports ? { ports } : {});
  processes.push(group);
  return group;
}

/** The services whose "stopped" line the process wrote. */
function stoppedServices(p: RunningService): string[] {
  return p
    .output()
    .split("\n")
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as { service?: string; msg?: string };
        return parsed.msg === "stopped" && parsed.service ? [parsed.service] : [];
      } catch {
        return [];
      }
    })
    .sort();
}

/** Every event of the request once it has ended: its end is in the stream. */
async function endedEvents(requestId: string): Promise<ChorusEvent[]> {
  return eventually(async () => {
    const events = await recordedEventsOf(isolated.nats, requestId);
    return events.some(isEndEvent) ? events : undefined;
  }, 90_000, 200);
}

describe("services sharing a process", () => {
  it("run a request end to end into the read models, and each process stops all its services on SIGTERM", async () => {
    const back = await start(BACK);
    const front = await start(FRONT);
    const { status, body } = await postProcess(front.url, { text: TEXT, orchestration_mode: "parallel" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "completed" });
    expect(Object.values(body.results ?? {}).map((r) => r?.status)).toEqual(["completed", "completed", "completed"]);
    const row = await eventually(
      async () => (await isolated.db.pool.maybeOne(sql.unsafe`SELECT status FROM read_model.requests WHERE request_id = ${body.request_id} AND status = 'completed'`)) ?? undefined,
    );
    expect(row).toEqual({ status: "completed" });
    // One meter for the process: the projector's lag is reported whichever service booted first.
    const metrics = await fetch(`http://127.0.0.1:${back.ports.orchestrator}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^chorus_projector_lag_messages[ {]/m);
    expect(metrics).toMatch(/^chorus_consumer_lag_messages\{.*durable="orchestrator-accepted"/m);

    expect(await front.stop("SIGTERM")).toBe(0);
    expect(await back.stop("SIGTERM")).toBe(0);
    expect(stoppedServices(front)).toEqual(["agents", "gateway"]);
    expect(stoppedServices(back)).toEqual(["orchestrator", "projector", "webhooks"]);
  });

  for (const killed of ["front", "back"] as const) {
    it(`lose and duplicate nothing when the ${killed} process is SIGKILLed under load and started again`, async () => {
      const back = await start(BACK);
      const front = await start(FRONT);
      const gatewayUrl = front.url;
      const accepted: string[] = [];
      let sending = true;
      // A steady stream of submissions answered at once (202), while the kill happens.
      const sender = (async () => {
        while (sending) {
          const r = await postProcess(gatewayUrl, { text: TEXT, orchestration_mode: "parallel" }, { prefer: "respond-async" }).catch(() => null);
          if (r && (r.status === 202 || r.status === 200)) accepted.push(r.body.request_id);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await eventually(async () => (accepted.length >= 20 ? true : undefined), 30_000, 50);
      // Killed while submissions go on; the gateway's process comes back on the same ports.
      const victim = killed === "back" ? back : front;
      const ports = (victim as RunningService & { ports: Record<string, number> }).ports;
      await victim.stop("SIGKILL");
      processes.splice(processes.indexOf(victim), 1);
      await start(killed === "back" ? BACK : FRONT, ports);
      const before = accepted.length;
      await eventually(async () => (accepted.length >= before + 10 ? true : undefined), 30_000, 50);
      sending = false;
      await sender;

      expect(accepted.length).toBeGreaterThanOrEqual(20);
      for (const requestId of accepted) {
        const events = await endedEvents(requestId);
        const count = (type: string) => events.filter((e) => e.type === type).length;
        expect(count("RequestAccepted")).toBe(1);
        expect(events.filter(isEndEvent)).toHaveLength(1);
        expect(count("AgentCompleted") + count("AgentFailed")).toBe(3);
      }
      const rows = await eventually(async () => {
        const found = await isolated.db.pool.anyFirst(sql.unsafe`SELECT request_id FROM read_model.requests WHERE request_id = ANY(${sql.array(accepted, "uuid")}) AND completed_at IS NOT NULL`);
        return found.length === accepted.length ? found : undefined;
      }, 90_000, 200);
      expect(new Set(rows).size).toBe(accepted.length);
    }, 180_000);
  }

  it("refuses a port variable every service of the process would share, naming each service's own", async () => {
    const group = await spawnServiceGroup(FRONT, { ...env(), GRPC_PORT: "50999" });
    processes.push(group);
    const code = await new Promise<number | null>((resolve) => group.process.once("exit", resolve));
    expect(code).toBe(78);
    expect(group.output()).toMatch(/GRPC_PORT would be the same port for every service of this process: set each service's own, such as GATEWAY_GRPC_PORT/);
  });
});
