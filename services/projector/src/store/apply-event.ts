// Applies one event to the read models in the schema given: under a per-request lock,
// record its stream sequence (a redelivery stops there), read the request's rows,
// project, write. The caller owns the transaction; see projectEvent for the usual one.
import { sql, type DatabasePool } from "@chorus/platform";
import type { ChorusEvent } from "@chorus/contracts";
import { project } from "../projection/index.ts";
import { readRequestState } from "./read-state.ts";
import { table, type Queryable } from "./tables.ts";
import { writeChange } from "./write-changes.ts";

export type ApplyOutcome =
  /** The event's rows are written. */
  | "applied"
  /** Written, but without its part on a requests row that does not exist (see Projection.missing). */
  | "applied_without_request"
  /** This stream sequence was applied before: nothing changed. */
  | "duplicate"
  /** Nothing written: the event waits for its request row (only with whenRequestMissing "wait"). */
  | "waiting";

export type ApplyOptions = {
  /** "wait": leave a webhook fact whose request row is missing for later; "apply": write what can be written. */
  whenRequestMissing: "wait" | "apply";
};

class WaitForRequest extends Error {
  override name = "WaitForRequest";
}

/**
 * Runs inside the caller's transaction. Throws WaitForRequest to roll back when the event
 * waits; projectEvent turns that into the "waiting" outcome.
 */
export async function applyEventIn(db: Queryable, schema: string, event: ChorusEvent, seq: number, options: ApplyOptions): Promise<Exclude<ApplyOutcome, "waiting">> {
  // Serialises the events of one request (replicas, concurrent handlers), so the rows read
  // below stay current until commit. Keyed by schema: a rebuild's staging writes never wait on live ones.
  await db.query(sql.unsafe`SELECT pg_advisory_xact_lock(hashtext(${schema}), hashtext(${event.request_id}))`);
  // First statement on a table: during a rebuild's swap it waits here, and then runs
  // against the swapped-in tables, before anything has been read.
  const fresh = await db.maybeOneFirst(sql.unsafe`
    INSERT INTO ${table(schema, "projected_events")} (stream_seq, event_id) VALUES (${seq}, ${event.id})
    ON CONFLICT (stream_seq) DO NOTHING RETURNING stream_seq`);
  if (fresh === null) return "duplicate";
  const state = await readRequestState(db, schema, event.request_id);
  const projection = project(event, seq, state);
  if (projection.missing && options.whenRequestMissing === "wait") throw new WaitForRequest(projection.missing);
  for (const change of projection.changes) await writeChange(db, schema, change);
  return projection.missing ? "applied_without_request" : "applied";
}

/** Applies one event in its own transaction. */
export async function projectEvent(pool: DatabasePool, schema: string, event: ChorusEvent, seq: number, options: ApplyOptions): Promise<ApplyOutcome> {
  try {
    return await pool.transaction((tx) => applyEventIn(tx, schema, event, seq, options));
  } catch (err) {
    if (err instanceof WaitForRequest) return "waiting";
    throw err;
  }
}
