// Timestamps in the projection: ISO-8601 in UTC with milliseconds, as Date#toISOString
// writes them, so that they compare as text and survive a round trip through Postgres.
export type Instant = string;

export function toInstant(value: string | number): Instant {
  return new Date(value).toISOString();
}

export function earliest(a: Instant | null, b: Instant | null): Instant | null {
  if (a === null) return b;
  if (b === null) return a;
  return a <= b ? a : b;
}

export function latest(a: Instant | null, b: Instant | null): Instant | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
