// The fold of one request's events: order-tolerant, first outcome and first end win.
import { describe, expect, it } from "vitest";
import { evolve, initialState, runOf, wasDispatched } from "./state.ts";
import { accepted, completed, dispatched, failed, started, stateOf } from "./scenario.fixtures.ts";

describe("a request's state", () => {
  it("starts empty: not accepted, no runs, not ended", () => {
    expect(initialState).toEqual({ accepted: null, runs: {}, end: null });
    expect(wasDispatched(runOf(initialState, "sentiment"))).toBe(false);
  });

  it("keeps an agent's first outcome and ignores a later one", () => {
    const first = failed("sentiment");
    const state = stateOf(accepted(), first, completed("sentiment"));
    expect(runOf(state, "sentiment").outcome).toBe(first);
  });

  it("counts an agent as dispatched when only its started or outcome event is in the stream", () => {
    expect(wasDispatched(runOf(stateOf(accepted(), started("summarizer")), "summarizer"))).toBe(true);
    expect(wasDispatched(runOf(stateOf(accepted(), completed("summarizer")), "summarizer"))).toBe(true);
  });

  it("records a dispatch that arrives after the agent's outcome without losing the outcome", () => {
    const outcome = completed("summarizer");
    const late = dispatched("summarizer");
    const run = runOf(stateOf(accepted(), outcome, late), "summarizer");
    expect(run.outcome).toBe(outcome);
    expect(run.dispatched).toEqual(late.data);
  });

  it("keeps the first RequestAccepted when one is stored twice", () => {
    const first = accepted("parallel");
    expect(stateOf(first, accepted("sequential")).accepted).toBe(first);
  });

  it("leaves the state unchanged for webhook events", () => {
    const state = stateOf(accepted());
    const next = evolve(state, {
      ...state.accepted!,
      version: 1,
      id: "22222222-2222-4222-8222-222222222222",
      type: "WebhookDelivered",
      data: { webhook_id: "w", attempt: 1, status_code: 200 },
    });
    expect(next).toBe(state);
  });
});
