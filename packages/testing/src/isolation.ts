// Set-up and tear-down of isolated NATS and Postgres for a test file, in one line:
// `const env = isolatedPerTest({ nats: true, database: true })` gives every test its own
// prefix, streams and database, and removes them after it together with whatever the
// test registered with `env.defer(...)` (last first, before the NATS and database go).
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { isolatedDatabase, isolatedNats, type IsolatedDatabase, type IsolatedNats } from "./fixtures.ts";

export type IsolationOptions = {
  nats?: boolean | { duplicateWindowMs?: number };
  database?: boolean | { migrate?: boolean };
};

export type Isolation = {
  /** This test's (or this file's) NATS prefix and streams; throws unless asked for in the options. */
  readonly nats: IsolatedNats;
  /** This test's (or this file's) database; throws unless asked for in the options. */
  readonly db: IsolatedDatabase;
  /** Runs `cleanup` at tear-down, before the NATS and database are removed; the last deferred runs first. */
  defer(cleanup: () => unknown): void;
};

type Hooks = { setUp: (fn: () => Promise<void>) => void; tearDown: (fn: () => Promise<void>) => void };

/** Fresh resources for every test: made in beforeEach, removed in afterEach. */
export function isolatedPerTest(options: IsolationOptions): Isolation {
  return isolation(options, { setUp: (fn) => beforeEach(fn), tearDown: (fn) => afterEach(fn) });
}

/** One set of resources for the whole file (or describe block): made in beforeAll, removed in afterAll. */
export function isolatedPerFile(options: IsolationOptions): Isolation {
  return isolation(options, { setUp: (fn) => beforeAll(fn), tearDown: (fn) => afterAll(fn) });
}

function isolation(options: IsolationOptions, hooks: Hooks): Isolation {
  let nats: IsolatedNats | undefined;
  let db: IsolatedDatabase | undefined;
  const deferred: (() => unknown)[] = [];
  hooks.setUp(async () => {
    const natsOptions = options.nats === true ? {} : options.nats || undefined;
    const dbOptions = options.database === true ? {} : options.database || undefined;
    // Settled one by one, so that what was made is still removed when the other fails.
    const [madeNats, madeDb] = await Promise.allSettled([natsOptions && isolatedNats(natsOptions), dbOptions && isolatedDatabase(dbOptions)]);
    nats = madeNats.status === "fulfilled" ? madeNats.value || undefined : undefined;
    db = madeDb.status === "fulfilled" ? madeDb.value || undefined : undefined;
    for (const made of [madeNats, madeDb]) if (made.status === "rejected") throw made.reason;
  });
  hooks.tearDown(async () => {
    const errors: unknown[] = [];
    for (const cleanup of deferred.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        errors.push(err);
      }
    }
    const removed = await Promise.allSettled([nats?.cleanup(), db?.cleanup()]);
    nats = db = undefined;
    for (const r of removed) if (r.status === "rejected") errors.push(r.reason);
    if (errors.length > 0) throw new AggregateError(errors, "a cleanup failed");
  });
  return {
    get nats() {
      if (!nats) throw new Error("no isolated NATS here: ask for it with { nats: true }, and use it inside a test or hook");
      return nats;
    },
    get db() {
      if (!db) throw new Error("no isolated database here: ask for it with { database: true }, and use it inside a test or hook");
      return db;
    },
    defer(cleanup) {
      deferred.push(cleanup);
    },
  };
}
