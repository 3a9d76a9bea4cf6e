// The webhook phase: deliveries per second to a fast receiver (answers 204 at once), alone
// and with a slow neighbour (a receiver answering after `slowDelayMs`, its deliveries
// published first). The webhooks service runs in this process on its defaults
// (WEBHOOK_CONCURRENCY 16, WEBHOOK_ENDPOINT_CONCURRENCY 4, circuit breaking on), on a
// prefix of its own; ends are published as the orchestrator would, and the time of each
// fast delivery is from its end's publish to its arrival at the receiver.
import { createServer, type Server } from "node:http";
import { isolatedNats, testLogger } from "@chorus/testing";
import { DEFAULT_RETRY_SCHEDULE_MS } from "../../services/webhooks/src/delivery/index.ts";
import { startWebhooks } from "../../services/webhooks/src/start-webhooks.ts";
import { endEvent, publishEnd, TEST_KEYRING } from "../../services/webhooks/src/webhooks.fixtures.ts";
import { percentile } from "../lib/stats.ts";

export type WebhookPoint = {
  /** Deliveries to the fast receiver. */
  fast: number;
  /** Deliveries to the slow neighbour, published before the fast ones (0: alone). */
  slow: number;
  slowDelayMs: number;
  delivered: number;
  /** Fast deliveries per second, from the first fast publish to the last arrival. */
  perSecond: number;
  latencyMs: { p50: number; p95: number; max: number };
};

type Receiver = { url: string; server: Server };

/** Ends published at once, awaited together (by default). */
const PUBLISH_BATCH = 200;

async function receiver(delayMs: number, arrived: (path: string) => void): Promise<Receiver> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrived(req.url ?? "/");
      if (delayMs > 0) setTimeout(() => res.writeHead(204).end(), delayMs);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** One point: `slow` deliveries to the slow receiver, then `fast` to the fast one; waits for the fast ones (at most `timeoutMs`). */
export async function webhookPoint(opts: { fast: number; slow: number; slowDelayMs: number; timeoutMs?: number; publishBatch?: number }): Promise<WebhookPoint> {
  const batch = Math.max(1, opts.publishBatch ?? PUBLISH_BATCH);
  const nats = await isolatedNats();
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastArrival = 0;
  const fast = await receiver(0, (path) => {
    const at = publishedAt.get(path);
    if (at === undefined) return;
    lastArrival = Date.now();
    latencies.push(lastArrival - at);
  });
  const slow = await receiver(opts.slowDelayMs, () => undefined);
  const webhooks = await startWebhooks({
    js: nats.js,
    jsm: nats.jsm,
    topology: nats.topology,
    logger: testLogger,
    keyring: TEST_KEYRING,
    policy: { maxRetries: 5, scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, maxRetryAfterMs: 3_600_000 },
    timeoutMs: 10_000,
    allowPrivate: true,
    concurrency: 16,
    circuit: { failures: 5, openMs: 30_000 },
  });
  try {
    for (let i = 0; i < opts.slow; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, opts.slow - i) }, () => publishEnd(nats, endEvent(`${slow.url}/hook`))));
    }
    // Published in batches, so the rate measured is the service's, not the publisher's.
    const ends = Array.from({ length: opts.fast }, (_, i) => ({ path: `/hook/${i}`, end: endEvent(`${fast.url}/hook/${i}`) }));
    const firstPublish = Date.now();
    for (let i = 0; i < ends.length; i += batch) {
      await Promise.all(
        ends.slice(i, i + batch).map(({ path, end }) => {
          publishedAt.set(path, Date.now());
          return publishEnd(nats, end);
        }),
      );
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    while (latencies.length < opts.fast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      fast: opts.fast,
      slow: opts.slow,
      slowDelayMs: opts.slowDelayMs,
      delivered: latencies.length,
      perSecond: latencies.length / (Math.max(1, lastArrival - firstPublish) / 1000),
      latencyMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: percentile(sorted, 1) },
    };
  } finally {
    // The slow receiver's deliveries are still queued: refuse them so stopping does not wait on them.
    const closed = [fast, slow].map((r) => new Promise((done) => r.server.close(done)));
    slow.server.closeAllConnections();
    await webhooks.stop().catch(() => undefined);
    fast.server.closeAllConnections();
    await Promise.all(closed);
    await nats.cleanup().catch(() => undefined);
  }
}

/** The phase: the fast receiver alone, then beside a slow neighbour. */
export async function webhookPoints(opts: { fast: number; slow: number; slowDelayMs: number }, log: (line: string) => void): Promise<WebhookPoint[]> {
  const points: WebhookPoint[] = [];
  for (const slow of [0, opts.slow]) {
    log(`  ${opts.fast} deliveries to a fast receiver${slow ? `, after ${slow} to one answering in ${opts.slowDelayMs} ms` : ", alone"} …`);
    const p = await webhookPoint({ ...opts, slow });
    log(`    ${p.perSecond.toFixed(0)} deliveries/s, publish → arrival p50 ${p.latencyMs.p50} ms, p95 ${p.latencyMs.p95} ms`);
    points.push(p);
  }
  return points;
}
