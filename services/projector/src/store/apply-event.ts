// Applies events to the read models in the schema given, many in one transaction: under
// the locks of their requests, leave out stream sequences applied before (a redelivery
// stops there), read the requests' rows once, project the batch, write each changed row
// once, and record the sequences applied. The caller owns the transaction; see
// applyEvents for the usual one.
import { z } from "zod";
import { sql, type DatabasePool } from "@chorus/platform";
import type { ChorusEvent } from "@chorus/contracts";
import { projectBatch, type SequencedEvent } from "../projection/index.ts";
import { UnprojectableEventError } from "./data-errors.ts";
import { readStoredRows } from "./read-stored-rows.ts";
import { table, type Queryable } from "./tables.ts";
import { writeChanges } from "./write-changes.ts";

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

const Seq = z.object({ stream_seq: z.union([z.bigint(), z.number()]).transform(Number) });

/**
 * Takes, in the caller's transaction, the locks every write to the read models starts
 * with: the requests' own, then the ledger's.
 */
export async function lockRequests(db: Queryable, schema: string, requestIds: readonly string[]): Promise<void> {
  const ids = [...new Set(requestIds)].sort();
  // Serialises the events of each request (replicas, a rebuild's catch-up), so the rows read
  // after it stay current until commit. Taken in one order everywhere, so two batches never
  // deadlock. Keyed by schema: a rebuild's staging writes never wait on live ones.
  await db.query(sql.unsafe`
    SELECT pg_advisory_xact_lock(hashtext(${schema}), hashtext(id))
    FROM (SELECT id FROM unnest(${sql.array(ids, "text")}) AS id ORDER BY id) AS ordered`);
  // First statement on a table, and the lock a write would take: a rebuild's swap holds
  // the live tables in EXCLUSIVE mode, which a plain read would not wait for. So during a
  // swap this waits, and everything after it runs against the swapped-in tables; and a
  // swap that comes later waits for this transaction. A read that came first would pair
  // old rows with writes to the new tables.
  await db.query(sql.unsafe`LOCK TABLE ${table(schema, "projected_events")} IN ROW EXCLUSIVE MODE`);
}

/** Runs inside the caller's transaction; outcomes in the order of `events`. */
export async function applyEventsIn(db: Queryable, schema: string, events: readonly SequencedEvent[], options: ApplyOptions): Promise<ApplyOutcome[]> {
  if (events.length === 0) return [];
  await lockRequests(db, schema, events.map(({ event }) => event.request_id));
  const seqs = events.map(({ seq }) => seq);
  const applied = new Set(
    (await db.any(sql.type(Seq)`SELECT stream_seq FROM ${table(schema, "projected_events")} WHERE stream_seq = ANY(${sql.array(seqs, "int8")})`)).map((r) => r.stream_seq),
  );
  // A sequence given twice in one batch (a redelivery that overtook its first copy) is one event.
  const fresh = new Map<number, SequencedEvent>();
  for (const item of events) if (!applied.has(item.seq) && !fresh.has(item.seq)) fresh.set(item.seq, item);
  const freshEvents = [...fresh.values()];
  const stored = await readStoredRows(db, schema, [...new Set(freshEvents.map(({ event }) => event.request_id))]);
  const projection = projectOrThrow(freshEvents, stored, options);
  await writeChanges(db, schema, projection.changes);
  if (projection.appliedSeqs.length > 0) {
    const idOf = new Map(freshEvents.map(({ event, seq }) => [seq, event.id]));
    await db.query(sql.unsafe`
      INSERT INTO ${table(schema, "projected_events")} (stream_seq, event_id)
      SELECT * FROM unnest(${sql.array(projection.appliedSeqs, "int8")}, ${sql.array(projection.appliedSeqs.map((s) => idOf.get(s) as string), "uuid")})
      ON CONFLICT (stream_seq) DO NOTHING`);
  }
  const outcomeOf = new Map(freshEvents.map((item, i) => [item, projection.outcomes[i]]));
  return events.map((item) => outcomeOf.get(item) ?? "duplicate");
}

/** The pure projection, whose throw (a rule that cannot handle this event) is the event's fault, not the database's. */
function projectOrThrow(events: SequencedEvent[], stored: Parameters<typeof projectBatch>[1], options: ApplyOptions) {
  try {
    return projectBatch(events, stored, options);
  } catch (err) {
    throw new UnprojectableEventError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Applies events in one transaction of their own; outcomes in the order given. */
export async function applyEvents(pool: DatabasePool, schema: string, events: readonly SequencedEvent[], options: ApplyOptions): Promise<ApplyOutcome[]> {
  return pool.transaction((tx) => applyEventsIn(tx, schema, events, options));
}

/** Applies one event in a transaction of its own. */
export async function applyEvent(pool: DatabasePool, schema: string, event: ChorusEvent, seq: number, options: ApplyOptions): Promise<ApplyOutcome> {
  const [outcome] = await applyEvents(pool, schema, [{ event, seq }], options);
  return outcome ?? "duplicate";
}
