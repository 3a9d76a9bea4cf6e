// Telling an event Postgres will never accept from a Postgres that is away. Only the first
// is worth isolating and, after a few deliveries, dead-lettering; anything else (no
// connection, a pool error, a timeout, a serialization failure, a missing table) is
// retried for as long as it lasts, since it says nothing about the event.
import { InvalidInputError } from "slonik";

/** The pure projection threw on an event: no database involved, so it throws again. */
export class UnprojectableEventError extends Error {
  override name = "UnprojectableEventError";
}

type PgError = { code: string; message: string; detail?: string };

function isPgError(err: unknown): err is PgError {
  const e = err as Partial<PgError> | null;
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.message === "string";
}

/** The Postgres error behind a slonik one (slonik keeps it as `cause`), if any. */
function pgErrorOf(err: unknown): PgError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isPgError(e)) return e;
  }
  return undefined;
}

/**
 * SQLSTATE class 22 (data exception: bad encoding, a value out of range, invalid JSON)
 * and the integrity violations of class 23 that the same row always meets again (not
 * 23505: every write here is an upsert, so a unique violation can only be a race), and
 * 54000 (a value too large to store).
 */
function isDataSqlState(code: string): boolean {
  if (code.startsWith("22")) return true;
  if (code.startsWith("23")) return code !== "23505";
  return code === "54000";
}

/**
 * Whether applying the same event to the same rows would fail the same way. slonik's
 * InvalidInputError is raised for 22P02 and, before anything is sent, for a JSON value
 * Postgres would refuse.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof UnprojectableEventError || err instanceof InvalidInputError) return true;
  const pg = pgErrorOf(err);
  return pg !== undefined && isDataSqlState(pg.code);
}

/** What was refused and why, the same each time for the same event: the reason recorded and dead-lettered with. */
export function describeDataError(err: unknown): string {
  const pg = pgErrorOf(err);
  if (pg) return `${pg.message} (SQLSTATE ${pg.code})${pg.detail ? `: ${pg.detail}` : ""}`;
  return err instanceof Error ? err.message : String(err);
}
