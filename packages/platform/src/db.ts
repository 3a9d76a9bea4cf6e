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
