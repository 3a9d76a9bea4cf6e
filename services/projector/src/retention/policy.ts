// When read-model rows expire and when the daily retention run happens next: pure
// arithmetic on dates, so the schedule and the cut-off are tested without a clock.

const DAY_MS = 24 * 3600_000;

/** The instant before which rows are deleted, or null when `days` is 0 (keep forever). */
export function retentionCutoff(now: Date, days: number): Date | null {
  if (days <= 0) return null;
  return new Date(now.getTime() - days * DAY_MS);
}

/** Milliseconds from `now` to the next run at `hourUtc`:00 UTC (today's if still ahead, else tomorrow's). */
export function msUntilNextRun(now: Date, hourUtc: number): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  return next > now.getTime() ? next - now.getTime() : next + DAY_MS - now.getTime();
}
