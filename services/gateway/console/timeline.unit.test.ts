// The timeline's layout from a request's events: parallel runs overlap, sequential ones
// follow each other, an unfinished run reaches `now`, and fractions stay within 0–1.
import { describe, expect, it } from "vitest";
import { layoutTimeline, type TimelineEvent } from "./timeline.js";

const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const ev = (type: string, ms: number, data: Record<string, unknown> = {}): TimelineEvent => ({ type, occurred_at: new Date(T0 + ms).toISOString(), data });
const accepted = ev("RequestAccepted", 0, { agents: ["summarizer", "sentiment"] });
const run = (agent: string, dispatched: number, started: number, ended: number, outcome = "AgentCompleted") => [
  ev("AgentDispatched", dispatched, { agent }),
  ev("AgentStarted", started, { agent }),
  ev(outcome, ended, { agent, duration_ms: ended - started }),
];

describe("layoutTimeline", () => {
  it("overlaps the runs of a parallel request", () => {
    const events = [accepted, ...run("sentiment", 10, 20, 60), ...run("summarizer", 10, 15, 90), ev("RequestCompleted", 100)];
    const layout = layoutTimeline(events, T0 + 5_000);
    expect(layout.overlapping).toBe(true);
    expect(layout.ended).toBe(true);
    expect(layout.spanMs).toBe(100);
    // In the order the request named its agents.
    expect(layout.rows.map((r) => r.agent)).toEqual(["summarizer", "sentiment"]);
    expect(layout.rows[0]).toMatchObject({ status: "completed", durationMs: 75, waiting: { from: 0.1, to: 0.15 }, running: { from: 0.15, to: 0.9 } });
  });

  it("takes a parallel accept of version 2 as every agent's dispatch", () => {
    const acceptV2 = { ...ev("RequestAccepted", 0, { agents: ["summarizer", "sentiment"], dispatch: { deadline_at: new Date(T0 + 60_000).toISOString() } }), version: 2 };
    const events = [acceptV2, ev("AgentCompleted", 40, { agent: "sentiment", duration_ms: 20, started_at: new Date(T0 + 20).toISOString() })];
    const layout = layoutTimeline(events, T0 + 100);
    expect(layout.rows.map((r) => [r.agent, r.status])).toEqual([
      ["summarizer", "pending"],
      ["sentiment", "completed"],
    ]);
    expect(layout.rows[1]).toMatchObject({ waiting: { from: 0, to: 0.2 }, running: { from: 0.2, to: 0.4 } });
  });

  it("lays the runs of a sequential request one after another", () => {
    const events = [accepted, ...run("summarizer", 5, 10, 40), ...run("sentiment", 45, 50, 80, "AgentFailed"), ev("RequestFailed", 80)];
    const layout = layoutTimeline(events, T0 + 5_000);
    expect(layout.overlapping).toBe(false);
    expect(layout.rows.map((r) => [r.agent, r.status])).toEqual([
      ["summarizer", "completed"],
      ["sentiment", "failed"],
    ]);
    expect(layout.rows[0]!.running!.to).toBeLessThanOrEqual(layout.rows[1]!.running!.from);
  });

  it("draws an unfinished run up to now and a dispatched one as waiting", () => {
    const events = [accepted, ev("AgentDispatched", 10, { agent: "summarizer" }), ev("AgentStarted", 20, { agent: "summarizer" }), ev("AgentDispatched", 30, { agent: "sentiment" })];
    const layout = layoutTimeline(events, T0 + 200);
    expect(layout.ended).toBe(false);
    expect(layout.spanMs).toBe(200);
    expect(layout.rows[0]).toMatchObject({ status: "running", running: { from: 0.1, to: 1 } });
    expect(layout.rows[1]).toMatchObject({ status: "pending", running: null, waiting: { from: 0.15, to: 1 } });
    for (const row of layout.rows) for (const span of [row.running, row.waiting]) if (span) expect(span.from).toBeGreaterThanOrEqual(0);
  });

  it("starts a quick run's bar at its outcome's started_at when no AgentStarted was recorded, as it would at the AgentStarted", () => {
    const quickRun = (agent: string, dispatched: number, started: number, ended: number) => [
      ev("AgentDispatched", dispatched, { agent }),
      ev("AgentCompleted", ended, { agent, duration_ms: ended - started, started_at: new Date(T0 + started).toISOString() }),
    ];
    const quick = layoutTimeline([accepted, ...quickRun("sentiment", 10, 20, 60), ...quickRun("summarizer", 10, 15, 90), ev("RequestCompleted", 100)], T0 + 5_000);
    const recorded = layoutTimeline([accepted, ...run("sentiment", 10, 20, 60), ...run("summarizer", 10, 15, 90), ev("RequestCompleted", 100)], T0 + 5_000);
    expect(quick).toEqual(recorded);
    expect(quick.overlapping).toBe(true);
    expect(quick.rows[0]).toMatchObject({ status: "completed", startedAt: T0 + 15, waiting: { from: 0.1, to: 0.15 }, running: { from: 0.15, to: 0.9 } });
  });

  it("keeps the latest start of a redelivered run, whether an AgentStarted or the outcome's started_at", () => {
    const events = [
      accepted,
      ev("AgentDispatched", 10, { agent: "summarizer" }),
      ev("AgentStarted", 20, { agent: "summarizer" }),
      ev("AgentCompleted", 90, { agent: "summarizer", duration_ms: 30, started_at: new Date(T0 + 60).toISOString() }),
      ev("RequestCompleted", 100),
    ];
    expect(layoutTimeline(events, T0 + 5_000).rows[0]).toMatchObject({ startedAt: T0 + 60, running: { from: 0.6, to: 0.9 } });
  });

  it("has no rows before any agent was dispatched", () => {
    expect(layoutTimeline([accepted], T0 + 10).rows).toEqual([]);
  });
});
