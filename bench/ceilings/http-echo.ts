// The bare node:http ceiling right now: autocannon against an echo server in a child
// process (so the load generator and the server do not share one event loop).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export type HttpCeiling = { connections: number; durationS: number; reqPerSecond: number; latencyP50Ms: number; latencyP99Ms: number; errors: number };

export async function httpEchoCeiling(options = { connections: 50, durationS: 5 }): Promise<HttpCeiling> {
  const entry = fileURLToPath(new URL("./echo-server.ts", import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
      child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    const body = JSON.stringify({ text: "x".repeat(600), orchestration_mode: "parallel" });
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/v1/process`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      connections: options.connections,
      duration: options.durationS,
    });
    return {
      ...options,
      reqPerSecond: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
  } finally {
    child.kill("SIGTERM");
  }
}
