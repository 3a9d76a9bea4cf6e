// Events the read models cannot take as they are: text Postgres cannot store, or data it
// refuses. Recording one applies what can be stored of it (its strings made storable) if
// Postgres takes that, keeps the failure with its reason in projection_failures, puts its
// sequence in the ledger (a redelivery changes nothing), and names the request's earliest
// failure on its requests row: the row that would otherwise read as processing for good.
// The live projector and the rebuild record the same failures the same way, so both give
// the same rows.
import { toStorableText, withStorableText, type ChorusEvent } from "@chorus/contracts";
import { sql } from "@chorus/platform";
import { makesRequestRow, unstorableText, type SequencedEvent } from "../projection/index.ts";
import { applyEventsIn, lockRequests, type ApplyOptions } from "./apply-event.ts";
import { describeDataError, isDataError, UnprojectableEventError } from "./data-errors.ts";
import { table, type Queryable } from "./tables.ts";

export type FailedEvent = SequencedEvent & { reason: string };

export type RecordOutcome =
  /** The failure is recorded (and what could be stored of the event applied). */
  | "recorded"
  /** This stream sequence was applied or recorded before: nothing changed. */
  | "duplicate"
  /** Nothing written: the request row the failure belongs on does not exist yet (only with whenRequestMissing "wait"). */
  | "waiting";

/**
 * The refusal of an event that carries text Postgres cannot store, known before asking it.
 * Refused whatever its request's rows hold: asked, Postgres would refuse it only while the
 * text is still to be written (an agent's outcome after the end event that repeats it is
 * not), so which copy failed would hang on the order the events came in.
 */
export function unstorable(event: ChorusEvent): UnprojectableEventError | null {
  const where = unstorableText(event);
  return where ? new UnprojectableEventError(`${where}, which Postgres cannot store`) : null;
}

/** Why an event was refused, the same wherever and however often it is tried: the projection_error and the dead-letter reason. */
export function failureReason({ event, seq }: SequencedEvent, err: unknown): string {
  // One line: it travels in a NATS header too.
  return toStorableText(`${event.type} at stream sequence ${seq} could not be projected: ${describeDataError(err)}`)
    .replace(/\s*[\r\n]+\s*/g, " ")
    .slice(0, 1_000);
}

/** Runs inside the caller's transaction (the salvage runs under a savepoint of it). */
export async function recordFailureIn(db: Queryable, schema: string, failed: FailedEvent, options: ApplyOptions): Promise<RecordOutcome> {
  const { event, seq } = failed;
  const reason = toStorableText(failed.reason);
  await lockRequests(db, schema, [event.request_id]);
  if (await db.exists(sql.unsafe`SELECT 1 FROM ${table(schema, "projected_events")} WHERE stream_seq = ${seq}`)) return "duplicate";
  const hasRow = await db.exists(sql.unsafe`SELECT 1 FROM ${table(schema, "requests")} WHERE request_id = ${event.request_id}`);
  // The failure is shown on the request's row: an event that does not make one waits for it, as a webhook fact does.
  if (!hasRow && !makesRequestRow(event) && options.whenRequestMissing === "wait") return "waiting";

  let salvaged = true;
  try {
    await db.transaction((savepoint) => applyEventsIn(savepoint, schema, [{ event: withStorableText(event), seq }], { whenRequestMissing: "apply" }));
  } catch (err) {
    if (!isDataError(err)) throw err;
    salvaged = false;
  }
  await db.query(sql.unsafe`
    INSERT INTO ${table(schema, "projection_failures")} (stream_seq, event_id, request_id, event_type, reason, salvaged)
    VALUES (${seq}, ${event.id}, ${event.request_id}, ${event.type}, ${reason}, ${salvaged})
    ON CONFLICT (stream_seq) DO NOTHING`);
  await db.query(sql.unsafe`
    INSERT INTO ${table(schema, "projected_events")} (stream_seq, event_id) VALUES (${seq}, ${event.id})
    ON CONFLICT (stream_seq) DO NOTHING`);
  // The earliest failure by stream sequence, whatever order failures are recorded in, so a rebuild agrees.
  await db.query(sql.unsafe`
    UPDATE ${table(schema, "requests")} AS r SET
      projection_error = (
        SELECT f.reason FROM ${table(schema, "projection_failures")} AS f
        WHERE f.request_id = r.request_id ORDER BY f.stream_seq LIMIT 1),
      last_event_seq = GREATEST(r.last_event_seq, ${seq})
    WHERE r.request_id = ${event.request_id}`);
  return "recorded";
}

/**
 * For a replay, inside the caller's transaction: applies the events (under a savepoint),
 * and when one carries text Postgres cannot store or Postgres refuses them as data, goes
 * through them one at a time in stream order, recording each refused one as the live
 * projector does. Resolves to the failures recorded.
 */
export async function applyRecordingFailuresIn(db: Queryable, schema: string, events: readonly SequencedEvent[], options: ApplyOptions): Promise<FailedEvent[]> {
  if (events.every(({ event }) => !unstorable(event))) {
    try {
      await db.transaction((savepoint) => applyEventsIn(savepoint, schema, events, options));
      return [];
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
  }
  const failures: FailedEvent[] = [];
  for (const item of [...events].sort((a, b) => a.seq - b.seq)) {
    let refusal: unknown = unstorable(item.event);
    if (!refusal) {
      try {
        await db.transaction((savepoint) => applyEventsIn(savepoint, schema, [item], options));
        continue;
      } catch (err) {
        if (!isDataError(err)) throw err;
        refusal = err;
      }
    }
    const failed = { ...item, reason: failureReason(item, refusal) };
    if ((await recordFailureIn(db, schema, failed, options)) === "recorded") failures.push(failed);
  }
  return failures;
}
