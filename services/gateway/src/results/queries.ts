// Reads of the request read models in Postgres, validated against the row schemas.
// A database that cannot be reached becomes a 503; anything else is a bug (500).
import { z } from "zod";
import type { AgentId, OrchestrationMode, RequestStatus, RequestView } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, sql, type DatabasePool } from "@chorus/platform";
import { isDatabaseUnavailable } from "../database/errors.ts";
import type { DatabaseLink } from "../database/link.ts";
import { gone, unavailable } from "../errors.ts";
import { AgentResultRow, RequestRow, viewFromRows } from "./rows.ts";

const requests = sql.identifier([READ_MODEL_SCHEMA, "requests"]);
const agentResults = sql.identifier([READ_MODEL_SCHEMA, "agent_results"]);

const REQUEST_COLUMNS = sql.fragment`request_id, status, orchestration_mode, agents, created_at, completed_at,
  webhook_url, webhook_status, webhook_attempts, webhook_last_status_code, webhook_delivered_at, projection_error`;

const AGENT_COLUMNS = sql.fragment`request_id, agent, status, provider, model, duration_ms,
  prompt_tokens, completion_tokens, total_tokens, output, error_code, error_message`;

async function reading<T>(db: DatabaseLink, read: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const pool = db.pool();
  try {
    return await read(pool);
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw unavailable("the database", err);
    throw err;
  }
}

async function agentRowsOf(pool: DatabasePool, requestIds: readonly string[]) {
  if (requestIds.length === 0) return [];
  return pool.any(sql.type(AgentResultRow)`
    SELECT ${AGENT_COLUMNS} FROM ${agentResults}
    WHERE request_id = ANY(${sql.array(requestIds, "uuid")})`);
}

const ErasableRequestRow = RequestRow.extend({ erased_at: z.union([z.number(), z.date(), z.string()]).nullable() });

/** One request of the tenant; an erased one is a Gone error. */
export function findRequest(db: DatabaseLink, tenantId: string, requestId: string): Promise<RequestView | undefined> {
  return reading(db, async (pool) => {
    const row = await pool.maybeOne(sql.type(ErasableRequestRow)`
      SELECT ${REQUEST_COLUMNS}, erased_at FROM ${requests} WHERE request_id = ${requestId} AND tenant_id = ${tenantId}`);
    if (!row) return undefined;
    if (row.erased_at !== null) throw gone(requestId, new Date(row.erased_at).toISOString());
    return viewFromRows(row, await agentRowsOf(pool, [row.request_id]));
  });
}

export type RequestPage = { items: RequestView[]; total: number };

export type ListFilter = {
  tenantId: string;
  status?: RequestStatus | undefined;
  orchestrationMode?: OrchestrationMode | undefined;
  agent?: AgentId | undefined;
};

/** The conditions of a filter, ANDed; the tenant always. Erased requests are left out: their rows record only that they existed. */
function whereOf(filter: ListFilter) {
  const conditions = [sql.fragment`tenant_id = ${filter.tenantId}`, sql.fragment`erased_at IS NULL`];
  if (filter.status) conditions.push(sql.fragment`status = ${filter.status}`);
  if (filter.orchestrationMode) conditions.push(sql.fragment`orchestration_mode = ${filter.orchestrationMode}`);
  if (filter.agent) conditions.push(sql.fragment`${filter.agent} = ANY(agents)`);
  return sql.join(conditions, sql.fragment` AND `);
}

/** Newest first; `offset`/`limit` come from the validated page parameters. */
export function listRequests(db: DatabaseLink, query: ListFilter & { limit: number; offset: number }): Promise<RequestPage> {
  return reading(db, async (pool) => {
    const where = whereOf(query);
    const total = await pool.oneFirst(sql.type(z.object({ total: z.number().int() }))`
      SELECT count(*)::int AS total FROM ${requests} WHERE ${where}`);
    const rows = await pool.any(sql.type(RequestRow)`
      SELECT ${REQUEST_COLUMNS} FROM ${requests} WHERE ${where}
      ORDER BY created_at DESC, request_id DESC
      LIMIT ${query.limit} OFFSET ${query.offset}`);
    const agentRows = await agentRowsOf(pool, rows.map((r) => r.request_id));
    return { items: rows.map((r) => viewFromRows(r, agentRows)), total };
  });
}
