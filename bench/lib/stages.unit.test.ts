// Unit tests of the stage breakdown: where a request's time went, from its events.
import { describe, expect, it } from "vitest";
import { byRequest, STAGES, stageTimes, type TimedEvent } from "./stages.ts";

const T0 = Date.parse("2026-11-25T10:00:00.000Z");
const ev = (type: string, ms: number, agent?: string): TimedEvent => ({ type, occurred_at: new Date(T0 + ms).toISOString(), data: agent ? { agent } : {} });

const parallelRequest: TimedEvent[] = [
  ev("RequestAccepted", 5),
  ev("AgentDispatched", 7, "summarizer"),
  ev("AgentDispatched", 7, "sentiment"),
  ev("AgentStarted", 9, "sentiment"),
  ev("AgentStarted", 12, "summarizer"),
  ev("AgentCompleted", 10, "sentiment"),
  ev("AgentCompleted", 20, "summarizer"),
  ev("RequestCompleted", 24),
];

describe("stageTimes", () => {
  it("follows the agent that finished last, so the stages add up to the whole time", () => {
    const times = stageTimes(parallelRequest, { submittedAt: T0, respondedAt: T0 + 27 });
    expect(times).toEqual({ accept: 5, dispatch: 2, pickup: 5, agent: 8, end: 4, respond: 3, total: 27 });
    expect(STAGES.reduce((sum, s) => sum + (times?.[s] ?? 0), 0)).toBe(times?.total);
  });

  it("counts no dispatch stage when the accept is the dispatch (version 2), and picks up from the accept", () => {
    const accept: TimedEvent = { ...ev("RequestAccepted", 5), data: { dispatch: { deadline_at: new Date(T0 + 60_000).toISOString() } } };
    const events = [accept, { ...ev("AgentCompleted", 20, "summarizer"), data: { agent: "summarizer", started_at: new Date(T0 + 12).toISOString() } }, ev("RequestCompleted", 24)];
    expect(stageTimes(events, { submittedAt: T0, respondedAt: T0 + 27 })).toEqual({ accept: 5, dispatch: 0, pickup: 7, agent: 8, end: 4, respond: 3, total: 27 });
  });

  it("takes the run that produced the outcome when a task was delivered twice", () => {
    const redelivered = [...parallelRequest, ev("AgentStarted", 15, "summarizer")];
    expect(stageTimes(redelivered, { submittedAt: T0, respondedAt: T0 + 27 })).toMatchObject({ pickup: 8, agent: 5 });
  });

  it("counts a failed agent and a failed request like completed ones", () => {
    const failed = [ev("RequestAccepted", 1), ev("AgentDispatched", 2, "sentiment"), ev("AgentStarted", 3, "sentiment"), ev("AgentFailed", 9, "sentiment"), ev("RequestFailed", 10)];
    expect(stageTimes(failed, { submittedAt: T0, respondedAt: T0 + 11 })).toMatchObject({ agent: 6, end: 1, total: 11 });
  });

  it("takes the start from the outcome's started_at when the run recorded no AgentStarted", () => {
    const startedAt = (ms: number) => new Date(T0 + ms).toISOString();
    const quick = parallelRequest
      .filter((e) => e.type !== "AgentStarted")
      .map((e) => (e.type === "AgentCompleted" ? { ...e, data: { ...e.data, started_at: startedAt(e.data.agent === "summarizer" ? 12 : 9) } } : e));
    const times = stageTimes(quick, { submittedAt: T0, respondedAt: T0 + 27 });
    expect(times).toEqual(stageTimes(parallelRequest, { submittedAt: T0, respondedAt: T0 + 27 }));
    expect(times).toMatchObject({ pickup: 5, agent: 8 });
    // The outcome's own start wins over an earlier delivery's AgentStarted: it is the run that produced it.
    const redelivered = parallelRequest.map((e) => (e.type === "AgentCompleted" && e.data.agent === "summarizer" ? { ...e, data: { ...e.data, started_at: startedAt(16) } } : e));
    expect(stageTimes(redelivered, { submittedAt: T0, respondedAt: T0 + 27 })).toMatchObject({ pickup: 9, agent: 4 });
  });

  it("gives nothing for a request whose path is incomplete", () => {
    expect(stageTimes(parallelRequest.filter((e) => e.type !== "RequestCompleted"), { submittedAt: T0, respondedAt: T0 + 30 })).toBeNull();
    expect(stageTimes(parallelRequest.filter((e) => e.type !== "AgentStarted"), { submittedAt: T0, respondedAt: T0 + 30 })).toBeNull();
  });
});

describe("byRequest", () => {
  it("groups events by request id, keeping their order", () => {
    const groups = byRequest([
      { ...ev("RequestAccepted", 1), request_id: "a" },
      { ...ev("RequestAccepted", 2), request_id: "b" },
      { ...ev("RequestCompleted", 3), request_id: "a" },
    ]);
    expect([...groups.keys()]).toEqual(["a", "b"]);
    expect(groups.get("a")?.map((e) => e.type)).toEqual(["RequestAccepted", "RequestCompleted"]);
  });
});
