// A batch projects to the same rows as its events one at a time, in any split.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { storyEvents } from "../stories.fixtures.ts";
import { project } from "./project.ts";
import { projectBatch, withChanges, type SequencedEvent } from "./project-batch.ts";
import { NO_STORED_ROWS, requestOfChange, type StoredRequestRows } from "./rows.ts";

const ALL = ["summarizer", "sentiment", "entity_extractor"] as const;

/** The stored state per request after applying events one at a time (the reference). */
function oneAtATime(events: readonly SequencedEvent[]): Map<string, StoredRequestRows> {
  const states = new Map<string, StoredRequestRows>();
  for (const { event, seq } of events) {
    const state = states.get(event.request_id) ?? NO_STORED_ROWS;
    states.set(event.request_id, withChanges(state, project(event, seq, state).changes));
  }
  return states;
}

/** The stored state after writing each batch's changes, batch after batch. */
function inBatches(events: readonly SequencedEvent[], size: number): Map<string, StoredRequestRows> {
  const states = new Map<string, StoredRequestRows>();
  for (let i = 0; i < events.length; i += size) {
    const batch = projectBatch(events.slice(i, i + size), states, { whenRequestMissing: "apply" });
    for (const change of batch.changes) {
      const requestId = requestOfChange(change);
      states.set(requestId, withChanges(states.get(requestId) ?? NO_STORED_ROWS, [change]));
    }
  }
  return states;
}

function twoRequests(): SequencedEvent[] {
  const a = storyEvents({ requestId: randomUUID(), agents: [...ALL], webhook: "delivered-on-retry" });
  const b = storyEvents({ requestId: randomUUID(), agents: ["sentiment"], failing: ["sentiment"] });
  // Interleaved, as the live stream carries them.
  const events = a.flatMap((e, i) => (b[i] ? [e, b[i]] : [e]));
  return events.map((event, i) => ({ event, seq: i + 1 }));
}

describe("projecting a batch of events", () => {
  it("writes the same rows as one event at a time, whatever the batch size", () => {
    const events = twoRequests();
    const reference = oneAtATime(events);
    for (const size of [1, 2, 5, events.length]) expect(inBatches(events, size)).toEqual(reference);
  });

  it("writes each row once per batch, in its last version", () => {
    const events = twoRequests();
    const { changes, outcomes, appliedSeqs } = projectBatch(events, new Map(), { whenRequestMissing: "wait" });
    const keys = changes.map((c) => (c.table === "webhook_attempts" ? c.row.event_id : c.table === "agent_results" ? `${c.row.request_id}/${c.row.agent}` : requestOfChange(c)));
    expect(new Set(keys).size).toBe(keys.length);
    expect(changes.filter((c) => c.table === "requests")).toHaveLength(2);
    expect(changes.filter((c) => c.table === "agent_results")).toHaveLength(4);
    expect(outcomes.every((o) => o === "applied")).toBe(true);
    expect(appliedSeqs).toHaveLength(events.length);
  });

  it("projects in stream order even when given out of order", () => {
    const events = twoRequests();
    const reversed = [...events].reverse();
    const forward = projectBatch(events, new Map(), { whenRequestMissing: "apply" });
    const backward = projectBatch(reversed, new Map(), { whenRequestMissing: "apply" });
    expect(new Set(backward.changes.map((c) => JSON.stringify(c)))).toEqual(new Set(forward.changes.map((c) => JSON.stringify(c))));
    expect(backward.outcomes).toEqual([...forward.outcomes].reverse());
  });

  it("leaves a webhook fact whose request row is nowhere to wait, and applies the rest", () => {
    const story = storyEvents({ requestId: randomUUID(), agents: ["sentiment"], webhook: "delivered-on-retry" });
    const attempt = story.find((e) => e.type === "WebhookAttempted")!;
    const other = storyEvents({ requestId: randomUUID(), agents: ["sentiment"] })[0]!;
    const batch = projectBatch(
      [
        { event: attempt, seq: 40 },
        { event: other, seq: 41 },
      ],
      new Map(),
      { whenRequestMissing: "wait" },
    );
    expect(batch.outcomes).toEqual(["waiting", "applied"]);
    expect(batch.appliedSeqs).toEqual([41]);
    expect(batch.changes.every((c) => requestOfChange(c) === other.request_id)).toBe(true);
  });
});
