// Reads of the webhook attempt read model, and whether the read model knows a request.
import { z } from "zod";
import { READ_MODEL_SCHEMA, sql } from "@chorus/platform";
import type { DatabaseLink } from "../database/link.ts";
import { isDatabaseUnavailable } from "../database/errors.ts";
import { gone, unavailable } from "../errors.ts";
import type { WebhookAttemptView } from "./schema.ts";

const AttemptRow = z.object({
  attempt: z.number().int(),
  webhook_id: z.string(),
  url: z.string(),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
  next_attempt_at: z.number().nullable(),
  attempted_at: z.number(),
});

const iso = (ms: number) => new Date(ms).toISOString();

export type KnownRequest = { known: boolean; attempts: WebhookAttemptView[] };

/** The tenant's request's attempts; an erased request is a Gone error. */
export async function webhookAttemptsOf(db: DatabaseLink, tenantId: string, requestId: string): Promise<KnownRequest> {
  const pool = db.pool();
  let request;
  try {
    request = await pool.maybeOne(sql.type(z.object({ erased_at: z.number().nullable() }))`
      SELECT erased_at FROM ${sql.identifier([READ_MODEL_SCHEMA, "requests"])} WHERE request_id = ${requestId} AND tenant_id = ${tenantId}`);
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw unavailable("the database", err);
    throw err;
  }
  if (request && request.erased_at !== null) throw gone(requestId, iso(request.erased_at));
  const known = request !== null;
  try {
    // Attempts are the tenant's only when its request row is: another tenant's are never read.
    const rows = known
      ? await pool.any(sql.type(AttemptRow)`
      SELECT attempt, webhook_id, url, status_code, duration_ms, error, next_attempt_at, attempted_at
      FROM ${sql.identifier([READ_MODEL_SCHEMA, "webhook_attempts"])}
      WHERE request_id = ${requestId}
      ORDER BY attempted_at, attempt`)
      : [];
    return {
      known,
      attempts: rows.map((r) => ({ ...r, next_attempt_at: r.next_attempt_at === null ? null : iso(r.next_attempt_at), attempted_at: iso(r.attempted_at) })),
    };
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw unavailable("the database", err);
    throw err;
  }
}
