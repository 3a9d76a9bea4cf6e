// What a request costs on disk, for sizing (docs/operations.md): runs Chorus (instant
// agents, API keys on) on a fresh prefix and database, completes N requests over the
// corpus texts — without and then with a webhook — and prints the bytes and messages per
// request in each stream and in the Postgres read models.
// `node bench/storage.ts [--requests 300]`; docs/operations.md ("Storage sizing") quotes it.
import { parseArgs } from "node:util";
import { sql } from "@chorus/platform";
import { isolatedDatabase, isolatedNats, startWebhookReceiver } from "@chorus/testing";
import { corpusTexts } from "./chorus/client.ts";
import { startCluster } from "./chorus/cluster.ts";

const { values: args } = parseArgs({ options: { requests: { type: "string", default: "300" } } });
const requests = Number(args.requests);
const texts = corpusTexts();
const nats = await isolatedNats();
const db = await isolatedDatabase();
const receiver = await startWebhookReceiver();
// The receiver is on loopback: webhooks to it are allowed here as in local development.
const cluster = await startCluster({ nats, db, agents: { provider: "bench", delayMs: 0, concurrency: 4 }, env: { WEBHOOK_ALLOW_PRIVATE: "true" } });
const t = nats.topology;

type Usage = { bytes: number; messages: number };
async function streamUsage(): Promise<Record<string, Usage>> {
  const out: Record<string, Usage> = {};
  for (const [name, stream] of Object.entries(t.streams)) {
    const info = await nats.jsm.streams.info(stream);
    out[name] = { bytes: info.state.bytes, messages: info.state.messages };
  }
  return out;
}
async function postgresBytes(): Promise<number> {
  return Number(
    await db.pool.oneFirst(sql.unsafe`
    SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'read_model' AND c.relkind = 'r'`),
  );
}
async function submitAll(withWebhook: boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const text = texts[next++ % texts.length] as string;
      const body = { text, orchestration_mode: "parallel", ...(withWebhook ? { webhook_url: receiver.url, webhook_secret: "a-secret-of-16-chars-or-more" } : {}) };
      const res = await fetch(`${cluster.gateway.url}/api/v1/process`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${cluster.apiKey}` },
        body: JSON.stringify(body),
      });
      if (res.status >= 300 && res.status !== 202) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
async function settle(): Promise<void> {
  // Until nothing changes for 3 s: the pipeline, webhooks and projector have finished.
  let last = "";
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = JSON.stringify([await streamUsage(), await postgresBytes()]);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

const per = (n: number) => (n / requests).toFixed(0);
try {
  for (const withWebhook of [false, true]) {
    const start = await streamUsage();
    const pgStart = await postgresBytes();
    await submitAll(withWebhook);
    await settle();
    const end = await streamUsage();
    const pgEnd = await postgresBytes();
    console.log(`\n${requests} requests, ${withWebhook ? "with a webhook (delivered at once)" : "without a webhook"}, texts of ${Math.round(texts.reduce((n, s) => n + s.length, 0) / texts.length)} characters on average:`);
    for (const name of Object.keys(end)) {
      const bytes = (end[name]?.bytes ?? 0) - (start[name]?.bytes ?? 0);
      const messages = (end[name]?.messages ?? 0) - (start[name]?.messages ?? 0);
      if (bytes > 0 || messages !== 0) console.log(`  ${name.padEnd(12)} ${per(bytes).padStart(7)} bytes/request  ${(messages / requests).toFixed(1).padStart(5)} messages/request kept`);
    }
    console.log(`  ${"postgres".padEnd(12)} ${per(pgEnd - pgStart).padStart(7)} bytes/request  (read_model tables with indexes and TOAST, as grown)`);
  }
} finally {
  await cluster.stop();
  await receiver.close();
  await nats.cleanup();
  await db.cleanup();
}
