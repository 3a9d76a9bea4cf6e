// Types of timeline.js, for the unit tests (the browser reads the .js as it is).
export type Span = { from: number; to: number };
export type TimelineRow = {
  agent: string;
  dispatchedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  status: "pending" | "running" | "completed" | "failed";
  durationMs: number | null;
  waiting: Span | null;
  running: Span | null;
};
export type Timeline = { from: number; to: number; spanMs: number; rows: TimelineRow[]; overlapping: boolean; ended: boolean };
export type TimelineEvent = { type: string; occurred_at: string; version?: number; data: Record<string, unknown> };
export function layoutTimeline(events: readonly TimelineEvent[], now: number): Timeline;
