import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startStartupProbes, type StartupProbes } from "./probes.ts";

let probes: StartupProbes | undefined;

afterEach(async () => {
  if (probes?.server.listening) await probes.close();
  probes = undefined;
});

async function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

async function startProbes(): Promise<{ probes: StartupProbes; port: number }> {
  probes = await startStartupProbes({ port: 0, host: "127.0.0.1", reason: "connecting to NATS" });
  return { probes, port: (probes.server.address() as AddressInfo).port };
}

describe("the start-up probes", () => {
  it("answer alive, not ready with the current reason, and 503 on any other path while the service starts", async () => {
    const { probes, port } = await startProbes();
    expect(await get(port, "/livez")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await get(port, "/readyz")).toEqual({
      status: 503,
      body: { status: "not_ready", checks: { startup: { ok: false, error: "connecting to NATS", ms: 0 } } },
    });
    probes.starting("waiting for JetStream: JetStream system temporarily unavailable (10008)");
    expect(await get(port, "/readyz")).toMatchObject({ status: 503, body: { checks: { startup: { error: "waiting for JetStream: JetStream system temporarily unavailable (10008)" } } } });
    expect(await get(port, "/api/v1/process")).toMatchObject({ status: 503, body: { error: "Unavailable" } });
  });

  it("answer the routes they are given (/metrics) already while the service starts, and stay not ready", async () => {
    const { probes, port } = await startProbes();
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(503);
    probes.routes({ "/metrics": async () => [200, "text/plain", "chorus_up 0\n"] });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect({ status: metrics.status, body: await metrics.text() }).toEqual({ status: 200, body: "chorus_up 0\n" });
    expect(await get(port, "/readyz")).toMatchObject({ status: 503, body: { checks: { startup: { error: "connecting to NATS" } } } });
  });

  it("hand the same listening socket to the service's own checks and routes", async () => {
    const { probes, port } = await startProbes();
    let consuming = false;
    const server = probes.serve({
      readiness: {
        consumers: () => {
          if (!consuming) throw new Error("consumers are not running");
        },
      },
      routes: { "/metrics": async () => [200, "text/plain", "chorus_up 1\n"] },
    });
    expect(server).toBe(probes.server);
    expect(await get(port, "/readyz")).toMatchObject({ status: 503, body: { status: "not_ready", checks: { consumers: { ok: false, error: "consumers are not running" } } } });
    consuming = true;
    expect(await get(port, "/readyz")).toMatchObject({ status: 200, body: { status: "ready", checks: { consumers: { ok: true } } } });
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toBe("chorus_up 1\n");
  });

  it("free the port when closed, even with a prober's keep-alive connection open, for a server of the service's own", async () => {
    const { probes, port } = await startProbes();
    // fetch keeps its connection alive; close must not wait for it.
    expect((await get(port, "/livez")).status).toBe(200);
    await probes.close();
    const own = createServer((_req, res) => res.end(JSON.stringify({ own: true })));
    await new Promise<void>((resolve, reject) => {
      own.once("error", reject);
      own.listen(port, "127.0.0.1", resolve);
    });
    try {
      expect(await get(port, "/anything")).toEqual({ status: 200, body: { own: true } });
    } finally {
      own.closeAllConnections();
      await new Promise((resolve) => own.close(resolve));
    }
  });
});
