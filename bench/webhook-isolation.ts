// The webhook noisy-neighbour experiment: `--slow` deliveries to a receiver that answers
// after `--delay` ms, then `--fast` deliveries to one that answers at once; prints how long
// the fast ones took from publish to arrival. The webhooks service runs in-process on its
// defaults (WEBHOOK_CONCURRENCY 16, WEBHOOK_ENDPOINT_CONCURRENCY 4).
//   node bench/webhook-isolation.ts [--slow 60] [--fast 20] [--delay 9000]
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { isolatedNats, testLogger } from "@chorus/testing";
import { endEvent, publishEnd, TEST_KEYRING } from "../services/webhooks/src/webhooks.fixtures.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "../services/webhooks/src/delivery/index.ts";
import { startWebhooks } from "../services/webhooks/src/start-webhooks.ts";
import { distribution } from "./lib/stats.ts";

const { values: args } = parseArgs({ options: { slow: { type: "string", default: "60" }, fast: { type: "string", default: "20" }, delay: { type: "string", default: "9000" } } });

async function receiver(delayMs: number, arrived: (path: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrived(req.url ?? "/");
      setTimeout(() => res.writeHead(204).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
}

const nats = await isolatedNats();
const publishedAt = new Map<string, number>();
const latencies: number[] = [];
const fastUrl = await receiver(0, (path) => {
  const at = publishedAt.get(path);
  if (at !== undefined) latencies.push(Date.now() - at);
});
const slowUrl = await receiver(Number(args.delay), () => undefined);
await startWebhooks({
  js: nats.js,
  jsm: nats.jsm,
  topology: nats.topology,
  logger: testLogger,
  keyring: TEST_KEYRING,
  policy: { maxRetries: 5, scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, maxRetryAfterMs: 3_600_000 },
  timeoutMs: 10_000,
  allowPrivate: true,
  concurrency: 16,
});
for (let i = 0; i < Number(args.slow); i++) await publishEnd(nats, endEvent(slowUrl));
for (let i = 0; i < Number(args.fast); i++) {
  const path = `/hook/${i}`;
  publishedAt.set(path, Date.now());
  await publishEnd(nats, endEvent(`${fastUrl.replace(/\/hook$/, "")}${path}`));
}
const started = Date.now();
while (latencies.length < Number(args.fast) && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 100));
const d = distribution(latencies);
console.log(`${args.slow} deliveries to a receiver answering after ${args.delay} ms, then ${args.fast} to a fast one: fast delivered ${latencies.length}/${args.fast}, publish → arrival p50 ${d.p50} ms, p95 ${Math.round(d.p90)}–${d.p99} ms (p90–p99), max ${d.max} ms`);
await nats.cleanup().catch(() => undefined);
process.exit(0);
