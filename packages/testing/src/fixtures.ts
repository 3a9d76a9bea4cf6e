// Isolation for integration and e2e tests on the machine's real NATS and Postgres:
// each test gets its own subject prefix and streams, and its own database, so tests
// run in parallel and repeat on servers that keep state between runs.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { topology, type Topology } from "@chorus/contracts";
import {
  connectNats,
  createDatabasePool,
  createLogger,
  ensureStreams,
  jetStreamClients,
  migrateReadModels,
  type DatabasePool,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from "@chorus/platform";
import { DEFAULT_TEST_DATABASE_URL, DEFAULT_TEST_NATS_URL } from "./test-servers.ts";

// The test servers' set-up has put containers' URLs here where the local servers did not answer.
export const NATS_URL = process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL;
export const DATABASE_URL = process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

export const testLogger = createLogger("test", process.env.TEST_LOG_LEVEL ?? "silent");

export function uniqueName(kind: string): string {
  return `${kind}_${randomBytes(5).toString("hex")}`;
}

export type IsolatedNats = {
  topology: Topology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Environment for a service process that should use this topology. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
};

/** A fresh prefix with its own streams; cleanup deletes them and the KV buckets made under the prefix. */
export async function isolatedNats(options: { duplicateWindowMs?: number } = {}): Promise<IsolatedNats> {
  const t = topology(uniqueName("t"));
  const nc = await connectNats({ url: NATS_URL, name: `test-${t.prefix}`, logger: testLogger });
  const { js, jsm } = await jetStreamClients(nc);
  await ensureStreams(jsm, t, { eventsMaxAgeMs: 3600_000, duplicateWindowMs: options.duplicateWindowMs ?? 120_000 });
  return {
    topology: t,
    nc,
    js,
    jsm,
    env: { NATS_URL, CHORUS_SUBJECT_PREFIX: t.prefix },
    async cleanup() {
      for (const name of Object.values(t.streams)) await jsm.streams.delete(name).catch(() => undefined);
      // KV buckets the services made under this prefix (rate limit, provider health) are streams too.
      const buckets: string[] = [];
      for await (const name of jsm.streams.names()) if (name.startsWith(`KV_${t.prefix}_`)) buckets.push(name);
      for (const name of buckets) await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

export type IsolatedDatabase = {
  url: string;
  pool: DatabasePool;
  cleanup(): Promise<void>;
};

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database with the read-model migrations applied; cleanup drops it. */
export async function isolatedDatabase(options: { migrate?: boolean } = {}): Promise<IsolatedDatabase> {
  const name = uniqueName("chorus_t");
  const admin = new pg.Client({ connectionString: withDatabase(DATABASE_URL, "postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(DATABASE_URL, name);
  if (options.migrate ?? true) await migrateReadModels(url);
  const pool = await createDatabasePool(url, { maximumPoolSize: 5 });
  return {
    url,
    pool,
    async cleanup() {
      await pool.end();
      const c = new pg.Client({ connectionString: withDatabase(DATABASE_URL, "postgres") });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ""}`);
}

/** Resolves once the durable has been handed everything up to `seq` (when given) and has acked it all. */
export async function untilQuiet(nats: Pick<IsolatedNats, "jsm">, stream: string, durable: string, seq = 0): Promise<void> {
  await eventually(async () => {
    const info = await nats.jsm.consumers.info(stream, durable);
    return info.delivered.stream_seq >= seq && info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}
