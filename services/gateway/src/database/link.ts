// The gateway's way to Postgres. Creating a slonik pool needs a live server, and the
// gateway must start (and keep accepting requests) while Postgres is down, so the pool
// is created in the background and retried; reads answer 503 until it exists.
import { createDatabasePool, type DatabasePool, type Logger } from "@chorus/platform";
import { unavailable } from "../errors.ts";

export type DatabaseLink = {
  /** The pool, or an Unavailable ApiError while Postgres has not been reached yet. */
  pool(): DatabasePool;
  /** Why the pool does not exist yet, if it does not. */
  lastError(): string | undefined;
  close(): Promise<void>;
};

/** A link over a pool that already exists (tests, scripts). */
export function databaseLink(pool: DatabasePool): DatabaseLink {
  return { pool: () => pool, lastError: () => undefined, close: () => pool.end() };
}

/** Connects now and, while that fails, every `retryMs` until it succeeds or the link is closed. */
export function connectDatabaseInBackground(options: { url: string; poolSize: number; logger: Logger; retryMs?: number }): DatabaseLink {
  let pool: DatabasePool | undefined;
  let error: string | undefined = "connecting";
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  const connect = () => {
    attempt = createDatabasePool(options.url, { maximumPoolSize: options.poolSize }).then(
      async (created) => {
        if (closed) return created.end();
        pool = created;
        error = undefined;
        options.logger.info("connected to Postgres");
      },
      (err: unknown) => {
        const first = error === "connecting";
        error = err instanceof Error ? err.message || err.name : String(err);
        if (closed) return;
        // One warning per outage; the retries after it only at debug level.
        if (first) options.logger.warn({ err: error }, "Postgres is unreachable; reads answer 503 until it is back");
        else options.logger.debug({ err: error }, "Postgres still unreachable");
        timer = setTimeout(connect, options.retryMs ?? 2_000);
        timer.unref();
      },
    );
  };
  connect();

  return {
    pool() {
      if (!pool) throw unavailable("the database", new Error(error));
      return pool;
    },
    lastError: () => error,
    async close() {
      closed = true;
      clearTimeout(timer);
      await attempt;
      await pool?.end();
    },
  };
}
