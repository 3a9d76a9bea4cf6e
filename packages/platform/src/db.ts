// The slonik pool every Postgres-using service shares, with rows validated against
// the zod schema of `sql.type(...)` (slonik does not validate unless asked).
import { createPool, type DatabasePool, type Interceptor, type QueryResultRow } from "slonik";

export type { DatabasePool };
export { sql } from "slonik";

export class RowValidationError extends Error {
  override name = "RowValidationError";
}

const validateRows: Interceptor = {
  name: "chorus-validate-rows",
  transformRowAsync: async (queryContext, _query, row) => {
    const parser = queryContext.resultParser;
    if (!parser) return row;
    const result = await parser["~standard"].validate(row);
    if (result.issues) {
      throw new RowValidationError(
        `row does not match its schema: ${result.issues.map((i) => `${(i.path ?? []).map((p) => (typeof p === "object" ? p.key : p)).join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    return result.value as QueryResultRow;
  },
};

export function createDatabasePool(url: string, options: { maximumPoolSize?: number } = {}): Promise<DatabasePool> {
  return createPool(url, {
    maximumPoolSize: options.maximumPoolSize ?? 10,
    interceptors: [validateRows],
    // Fail fast when Postgres is down: readiness says so and the caller retries.
    connectionTimeout: 5_000,
    statementTimeout: 30_000,
  });
}

/**
 * Creates the pool once Postgres answers, trying every `retryMs` until then (creating a
 * slonik pool needs a live server); `onWaiting` hears why each try failed.
 */
export async function createDatabasePoolWhenUp(
  url: string,
  options: { maximumPoolSize?: number; retryMs?: number; onWaiting: (reason: string) => void },
): Promise<DatabasePool> {
  for (;;) {
    try {
      return await createDatabasePool(url, options);
    } catch (err) {
      options.onWaiting(err instanceof Error ? err.message || err.name : String(err));
      await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2_000));
    }
  }
}
