// What an API key check costs: the gateway's own `admit` (hash the bearer, find the key,
// check its scope, spend one unit of its rate limit in the shared NATS KV bucket) run
// `--calls` times, `--in-flight` at once as a busy gateway would, against the same loop
// with keys off. Prints CPU per check of this process and of the NATS server.
//   node bench/key-check.ts [--calls 50000] [--in-flight 64]
import { parseArgs } from "node:util";
import { bearer, isolatedNats } from "@chorus/testing";
import { startTestGateway, unreachableDatabase } from "../services/gateway/src/gateway.fixtures.ts";
import { hashApiKey } from "../services/gateway/src/auth/index.ts";
import type { Access } from "../services/gateway/src/auth/index.ts";
import { measureCpu, pidsNamed } from "./lib/cpu.ts";

const { values: args } = parseArgs({ options: { calls: { type: "string", default: "50000" }, "in-flight": { type: "string", default: "64" } } });
const calls = Number(args.calls);
const inFlight = Number(args["in-flight"]);
const ADMIN_KEY = `bench-admin-${"0".repeat(32)}`;

async function run(access: Access, authorization: string | undefined): Promise<{ self: number; nats: number; wallMs: number; limited: number }> {
  let next = 0;
  let limited = 0;
  const cpu = measureCpu({ self: () => [process.pid], nats: () => pidsNamed("nats-server") });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      // Past the key's limit (a million a minute) a check answers 429: the same work.
      while (next++ < calls) await access.admit(authorization, "requests:write").catch((err: { code?: string }) => void (limited += err.code === "RateLimited" ? 1 : 0));
    }),
  );
  const wallMs = performance.now() - started;
  const used = cpu.stop();
  return { self: used.self ?? NaN, nats: used.nats ?? NaN, wallMs, limited };
}

const nats = await isolatedNats();
const database = unreachableDatabase();
const keyed = await startTestGateway({
  nats,
  database,
  settings: { auth: { mode: "required", adminKeyHash: hashApiKey(ADMIN_KEY), rateLimitPerMinute: 600, maxStreamsPerKey: 20 } },
});
const open = await startTestGateway({ nats, database, settings: { auth: { mode: "off", rateLimitPerMinute: 600, maxStreamsPerKey: 20 } } });
try {
  const made = await fetch(`${keyed.url}/api/v1/admin/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(ADMIN_KEY) },
    body: JSON.stringify({ tenant: "bench", name: "bench", scopes: ["requests:write"], rate_limit_per_minute: 1_000_000 }),
  });
  const created = (await made.json()) as { key: string; id: string };
  if (!made.ok) throw new Error(`could not make a key: ${made.status} ${JSON.stringify(created)}`);
  const { key, id } = created;
  const authorization = bearer(key).authorization;
  // The gateway knows a key once it has read the key's event back from the stream.
  while (!keyed.access.keys.registry.byId.has(id)) await new Promise((r) => setTimeout(r, 20));
  await run(keyed.access, authorization); // JIT, the bucket's first write
  await run(open.access, undefined);
  for (let round = 1; round <= 3; round++) {
    const on = await run(keyed.access, authorization);
    const off = await run(open.access, undefined);
    const us = (seconds: number) => ((seconds * 1e6) / calls).toFixed(1);
    console.log(
      `round ${round}: ${calls} checks, ${inFlight} in flight — keys on: gateway ${us(on.self)} µs + NATS ${us(on.nats)} µs CPU per check ` +
        `(${Math.round(calls / (on.wallMs / 1000))}/s, ${on.limited} over the limit); keys off: gateway ${us(off.self)} µs + NATS ${us(off.nats)} µs; ` +
        `the key check: ${us(on.self + on.nats - off.self - off.nats)} µs`,
    );
  }
} finally {
  await keyed.stop();
  await open.stop();
  await database.close();
  await nats.cleanup();
}
