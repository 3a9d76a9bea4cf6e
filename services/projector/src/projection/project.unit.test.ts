// The projection rules through projectBatch, as the store applies them, one event at a time
// (as events may arrive): each story in publish order, twice, and in many orders.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AgentId, ChorusEvent } from "@chorus/contracts";
import { shuffled, storyEvents } from "../stories.fixtures.ts";
import { projectBatch, withChanges, type BatchOutcome, type SequencedEvent } from "./project-batch.ts";
import { NO_STORED_ROWS, type StoredRequestRows } from "./rows.ts";

/**
 * The read models in memory, written only with what projectBatch decides: like the store,
 * a stream sequence applied before changes nothing, and a webhook fact whose request row
 * is missing waits unless told to be applied anyway.
 */
function readModels() {
  const rows = new Map<string, StoredRequestRows>();
  const applied = new Set<number>();
  const rowsOf = (requestId: string) => rows.get(requestId) ?? NO_STORED_ROWS;
  const byKey = <T>(items: readonly T[], key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));

  function apply(event: ChorusEvent, seq: number, whenRequestMissing: "wait" | "apply" = "wait"): BatchOutcome | "duplicate" {
    if (applied.has(seq)) return "duplicate";
    const batch = projectBatch([{ event, seq }], rows, { whenRequestMissing });
    if (batch.changes.length > 0) rows.set(event.request_id, withChanges(rowsOf(event.request_id), batch.changes));
    for (const s of batch.appliedSeqs) applied.add(s);
    return batch.outcomes[0] as BatchOutcome;
  }

  return {
    apply,
    /** Applies events (with their seqs) in the given order, trying waiting ones again after the rest. */
    applyAll(sequenced: readonly SequencedEvent[]): void {
      let queue = [...sequenced];
      for (let round = 0; queue.length > 0; round++) {
        if (round > sequenced.length) throw new Error("events wait forever");
        queue = queue.filter(({ event, seq }) => apply(event, seq) === "waiting");
      }
    },
    request: (requestId: string) => rowsOf(requestId).request,
    agent: (requestId: string, agent: AgentId) => rowsOf(requestId).agents.find((a) => a.agent === agent),
    attempts: (requestId: string) => [...rowsOf(requestId).attempts].sort((a, b) => a.attempt - b.attempt),
    /** Every row, in a stable order, and the sequences applied: equal for any two orders that give the same rows. */
    snapshot() {
      const ids = [...rows.keys()].sort();
      return {
        requests: ids.map((id) => rowsOf(id).request),
        agents: ids.flatMap((id) => byKey(rowsOf(id).agents, (a) => a.agent)),
        attempts: ids.flatMap((id) => byKey(rowsOf(id).attempts, (a) => a.event_id)),
        applied: [...applied].sort((a, b) => a - b),
      };
    },
  };
}

function sequence(events: readonly ChorusEvent[], firstSeq = 1) {
  return events.map((event, i) => ({ event, seq: firstSeq + i }));
}

function inOrder(events: readonly ChorusEvent[]) {
  const tables = readModels();
  tables.applyAll(sequence(events));
  return tables;
}

const ALL = ["summarizer", "sentiment", "entity_extractor"] as const;

describe("projecting one request in publish order", () => {
  it("records an accepted request as pending, with its text length in code points and its idempotency key", () => {
    const id = randomUUID();
    const [accepted] = storyEvents({ requestId: id, agents: ["sentiment"], text: "héllo 😀 wörld!" });
    const tables = inOrder([accepted as ChorusEvent]);
    const row = tables.request(id);
    expect(row).toMatchObject({
      status: "pending",
      text_length: 14,
      orchestration_mode: "parallel",
      agents: ["sentiment"],
      idempotency_key: `idem-${id.slice(0, 8)}`,
      webhook_url: null,
      webhook_status: null,
      webhook_attempts: 0,
      created_at: accepted?.occurred_at,
      completed_at: null,
      last_event_seq: 1,
    });
  });

  it("moves the request to processing at the first dispatch and keeps each agent's result", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: [...ALL], stopAfterOutcomes: 1 });
    const tables = inOrder(events);
    expect(tables.request(id)?.status).toBe("processing");
    expect(tables.agent(id, "summarizer")).toMatchObject({
      status: "completed",
      provider: "local",
      model: "summarizer-model",
      duration_ms: 12,
      prompt_tokens: 30,
      completion_tokens: 10,
      total_tokens: 40,
      output: { summary: "A short summary.", key_points: ["one", "two"] },
      error_code: null,
      last_event_seq: 4,
    });
    expect(tables.agent(id, "summarizer")?.dispatched_at).toBe(events[1]?.occurred_at);
    expect(tables.agent(id, "summarizer")?.started_at).toBe(events[2]?.occurred_at);
    expect(tables.agent(id, "summarizer")?.finished_at).toBe(events[3]?.occurred_at);
  });

  it("records a partial end with the failed agent's error and keeps the start's provider for a timeout", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: [...ALL], failing: ["sentiment"] });
    const tables = inOrder(events);
    const end = events.at(-1);
    expect(tables.request(id)).toMatchObject({ status: "partial", completed_at: end?.occurred_at, last_event_seq: events.length });
    expect(tables.request(id)?.duration_ms).toBeGreaterThan(0);
    expect(tables.agent(id, "sentiment")).toMatchObject({
      status: "failed",
      error_code: "timeout",
      error_message: "sentiment timed out",
      provider: "local",
      model: "sentiment-model",
      output: null,
      duration_ms: null,
    });
  });

  it("records a failed end when no agent succeeded", () => {
    const id = randomUUID();
    const tables = inOrder(storyEvents({ requestId: id, agents: ["summarizer"], failing: ["summarizer"] }));
    expect(tables.request(id)?.status).toBe("failed");
  });

  it("counts webhook attempts, keeps the newest status code and ends delivered", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const tables = inOrder(events);
    expect(tables.request(id)).toMatchObject({
      webhook_url: "https://example.test/hook",
      webhook_status: "delivered",
      webhook_attempts: 2,
      webhook_last_status_code: 200,
      webhook_delivered_at: events.at(-1)?.occurred_at,
    });
    const retryDue = events.flatMap((e) => (e.type === "WebhookAttempted" ? [e.data.next_attempt_at] : []));
    expect(tables.attempts(id).map((a) => [a.attempt, a.status_code, a.url, a.next_attempt_at])).toEqual([
      [1, 503, "https://example.test/hook", retryDue[0]],
      [2, 200, "https://example.test/hook", null],
    ]);
    expect(retryDue[0]).toEqual(expect.any(String));
  });

  it("keeps the webhook pending while a retry is due, and marks it exhausted when retries run out", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
    const firstAttempt = events.findIndex((e) => e.type === "WebhookAttempted");
    expect(inOrder(events.slice(0, firstAttempt + 1)).request(id)).toMatchObject({ webhook_status: "pending", webhook_attempts: 1, webhook_last_status_code: 500 });
    const beforeExhausted = inOrder(events.slice(0, -1));
    expect(beforeExhausted.request(id)).toMatchObject({ webhook_status: "pending", webhook_attempts: 2, webhook_last_status_code: null });
    expect(inOrder(events).request(id)?.webhook_status).toBe("exhausted");
  });

  it("marks a webhook pending until an attempt is made", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const tables = inOrder(events.slice(0, 1));
    expect(tables.request(id)?.webhook_status).toBe("pending");
  });
});

describe("projecting events that arrive twice or out of order", () => {
  it("changes nothing when the same stream sequence is applied again", () => {
    const id = randomUUID();
    const events = sequence(storyEvents({ requestId: id, agents: [...ALL], webhook: "exhausted" }));
    const tables = readModels();
    tables.applyAll(events);
    const before = tables.snapshot();
    for (const { event, seq } of events) expect(tables.apply(event, seq)).toBe("duplicate");
    expect(tables.snapshot()).toEqual(before);
  });

  it("ignores a second outcome for an agent: the first wins", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["summarizer"] });
    const tables = inOrder(events);
    const late = {
      ...events[0],
      id: randomUUID(),
      type: "AgentFailed",
      occurred_at: "2026-11-24T11:00:00.000Z",
      data: { agent: "summarizer", provider: null, model: null, error: { code: "timeout", message: "late" }, duration_ms: null, usage: null },
    } as ChorusEvent;
    tables.apply(late, 100);
    expect(tables.agent(id, "summarizer")).toMatchObject({ status: "completed", error_code: null, last_event_seq: 100 });
  });

  it("never lets a late start or dispatch move a finished agent back", () => {
    const id = randomUUID();
    const [accepted, dispatched, started, completed] = storyEvents({ requestId: id, agents: ["summarizer"] }) as ChorusEvent[];
    const tables = readModels();
    tables.applyAll([
      { event: completed as ChorusEvent, seq: 4 },
      { event: started as ChorusEvent, seq: 3 },
      { event: dispatched as ChorusEvent, seq: 2 },
      { event: accepted as ChorusEvent, seq: 1 },
    ]);
    expect(tables.agent(id, "summarizer")).toMatchObject({ status: "completed", started_at: started?.occurred_at, dispatched_at: dispatched?.occurred_at, last_event_seq: 4 });
    expect(tables.request(id)).toMatchObject({ status: "processing", last_event_seq: 4 });
  });

  it("keeps the end status when the accepted event is applied after the end event", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], failing: ["sentiment"] });
    const end = events.at(-1) as ChorusEvent;
    const tables = readModels();
    tables.apply(end, events.length);
    expect(tables.request(id)).toMatchObject({ status: "failed", text_length: 0, idempotency_key: null, created_at: events[0]?.occurred_at });
    tables.apply(events[0] as ChorusEvent, 1);
    expect(tables.request(id)).toMatchObject({ status: "failed", idempotency_key: `idem-${id.slice(0, 8)}`, last_event_seq: events.length });
    expect(tables.request(id)?.text_length).toBeGreaterThan(10);
  });

  it("holds back a webhook fact until its request row exists, unless told to apply it anyway", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const delivered = events.at(-1) as ChorusEvent;
    const attempted = events.at(-2) as ChorusEvent;
    const tables = readModels();
    expect(tables.apply(delivered, 99)).toBe("waiting");
    expect(tables.snapshot().applied).toEqual([]);
    expect(tables.apply(attempted, 98, "apply")).toBe("applied_without_request");
    expect(tables.attempts(id).map((a) => [a.event_id, a.stream_seq])).toEqual([[attempted.id, 98]]);
    expect(tables.request(id)).toBeNull();
  });

  it("folds attempts recorded before the request row into the row when it is made", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
    const firstAttempt = events.findIndex((e) => e.type === "WebhookAttempted");
    const tables = readModels();
    tables.apply(events[firstAttempt] as ChorusEvent, firstAttempt + 1, "apply");
    tables.apply(events[0] as ChorusEvent, 1);
    expect(tables.request(id)).toMatchObject({ webhook_status: "pending", webhook_attempts: 1, webhook_last_status_code: 500, last_event_seq: firstAttempt + 1 });
  });

  const stories = [
    { name: "all agents completed, webhook delivered on retry", agents: [...ALL], webhook: "delivered-on-retry" as const },
    { name: "one agent failed, webhook exhausted", agents: [...ALL], failing: ["entity_extractor" as const], webhook: "exhausted" as const },
    { name: "every agent failed, sequential, no webhook", agents: ["summarizer", "sentiment"] as ("summarizer" | "sentiment")[], failing: ["summarizer" as const, "sentiment" as const], mode: "sequential" as const },
    { name: "still running", agents: [...ALL], stopAfterOutcomes: 2 },
    { name: "quick runs with no AgentStarted, one slow one with it", agents: [...ALL], quick: ["summarizer" as const, "entity_extractor" as const] },
    { name: "a quick run still going on beside a finished one", agents: [...ALL], quick: [...ALL], stopAfterOutcomes: 2 },
    { name: "dispatched by a version-2 accept, one agent failed, webhook delivered", agents: [...ALL], failing: ["sentiment" as const], webhook: "delivered-on-retry" as const, acceptDispatches: true },
    { name: "dispatched by a version-2 accept, still running", agents: [...ALL], stopAfterOutcomes: 1, acceptDispatches: true },
  ];
  for (const story of stories) {
    it(`gives the same rows in any order: ${story.name}`, () => {
      const id = randomUUID();
      const events = sequence(storyEvents({ requestId: id, ...story }));
      const expected = readModels();
      expected.applyAll(events);
      const orders = [[...events].reverse(), ...Array.from({ length: 300 }, (_, seed) => shuffled(events, seed + 1))];
      for (const order of orders) {
        const tables = readModels();
        tables.applyAll(order);
        expect(tables.snapshot(), `order ${order.map((e) => e.seq).join(",")}`).toEqual(expected.snapshot());
      }
    });
  }

  it("takes a quick run's start from its outcome: the same agent row as when its AgentStarted was recorded", () => {
    const id = randomUUID();
    const recorded = storyEvents({ requestId: id, agents: ["summarizer", "sentiment"] });
    const quick = storyEvents({ requestId: id, agents: ["summarizer", "sentiment"], quick: ["summarizer"] });
    expect(quick.filter((e) => e.type === "AgentStarted").map((e) => "agent" in e.data && e.data.agent)).toEqual(["sentiment"]);
    const completed = quick.find((e) => e.type === "AgentCompleted" && e.data.agent === "summarizer");
    const startedAt = completed?.type === "AgentCompleted" ? completed.data.started_at : undefined;
    expect(startedAt).toBeDefined();

    // Outcomes' ids and sequences differ between the two histories; the rows' facts must not.
    const facts = (events: ChorusEvent[]) => ({ ...inOrder(events).agent(id, "summarizer"), last_event_seq: 0 });
    expect(facts(quick)).toEqual(facts(recorded));
    expect(facts(quick)).toMatchObject({ status: "completed", started_at: startedAt });
    // The end event first, then the outcome: the start still arrives with the outcome.
    const endFirst = readModels();
    endFirst.applyAll([{ event: quick.at(-1) as ChorusEvent, seq: 100 }, ...sequence(quick.slice(0, -1))]);
    expect(endFirst.agent(id, "summarizer")?.started_at).toBe(startedAt);
  });

  it("keeps the newest start when a redelivered quick run's outcome follows an earlier delivery's AgentStarted, in either order", () => {
    const id = randomUUID();
    const [, dispatched, started, completed] = storyEvents({ requestId: id, agents: ["summarizer"] }) as ChorusEvent[];
    const secondRun = "2026-11-24T10:05:00.000Z";
    const outcome = { ...completed, data: { ...(completed as ChorusEvent & { type: "AgentCompleted" }).data, started_at: secondRun } } as ChorusEvent;
    const forward = readModels();
    forward.applyAll(sequence([dispatched as ChorusEvent, started as ChorusEvent, outcome]));
    const backward = readModels();
    backward.applyAll([{ event: outcome, seq: 3 }, { event: started as ChorusEvent, seq: 2 }, { event: dispatched as ChorusEvent, seq: 1 }]);
    expect(forward.agent(id, "summarizer")).toMatchObject({ status: "completed", started_at: secondRun });
    expect(backward.snapshot()).toEqual(forward.snapshot());
  });

  it("records a version-2 parallel accept as every agent's dispatch, at the accept's instant, and the request as processing", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["summarizer", "sentiment"], acceptDispatches: true, stopAfterOutcomes: 0 });
    expect(events.map((e) => e.type)).toEqual(["RequestAccepted"]);
    const tables = readModels();
    tables.applyAll(sequence(events));
    const at = (events[0] as ChorusEvent).occurred_at;
    expect(tables.snapshot().agents.map((r) => [r.agent, r.status, r.dispatched_at])).toEqual([
      ["sentiment", "pending", at],
      ["summarizer", "pending", at],
    ]);
    expect(tables.request(id)).toMatchObject({ status: "processing" });
  });

  it("keeps the newest start's provider when a redelivered task starts twice, in either order", () => {
    const id = randomUUID();
    const [, dispatched, started] = storyEvents({ requestId: id, agents: ["summarizer"] }) as ChorusEvent[];
    const restart = { ...started, id: randomUUID(), occurred_at: "2026-11-24T10:05:00.000Z", data: { agent: "summarizer", provider: "openai", model: "gpt-4o-mini", delivery: 2 } } as ChorusEvent;
    const forward = readModels();
    forward.applyAll(sequence([dispatched as ChorusEvent, started as ChorusEvent, restart]));
    const backward = readModels();
    backward.applyAll([{ event: restart, seq: 3 }, { event: started as ChorusEvent, seq: 2 }, { event: dispatched as ChorusEvent, seq: 1 }]);
    expect(forward.agent(id, "summarizer")).toMatchObject({ status: "running", provider: "openai", model: "gpt-4o-mini", started_at: "2026-11-24T10:05:00.000Z" });
    expect(backward.snapshot()).toEqual(forward.snapshot());
  });
});

describe("an end event applied before its agents' outcomes", () => {
  it("shows every agent finished with its output, so a request never reads as ended with agents still running", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["summarizer", "sentiment"], failing: ["sentiment"] });
    const end = events.find((e) => e.type === "RequestCompleted" || e.type === "RequestFailed");
    const others = events.filter((e) => e !== end && e.type !== "AgentCompleted" && e.type !== "AgentFailed");
    const tables = readModels();
    tables.applyAll([...sequence(others), { event: end as ChorusEvent, seq: 100 }]);
    const rows = tables.snapshot().agents;
    expect(rows.map((r) => [r.agent, r.status])).toEqual([
      ["sentiment", "failed"],
      ["summarizer", "completed"],
    ]);
    expect(rows.find((r) => r.agent === "summarizer")?.output).toEqual({ summary: "A short summary.", key_points: ["one", "two"] });
    expect(rows.find((r) => r.agent === "sentiment")?.error_code).toBe("timeout");
  });
});

describe("webhook status across delivery chains", () => {
  /** A manual redelivery's chain after the story's own: attempts numbered on, as the webhook service records them. */
  function redeliveryChain(story: readonly ChorusEvent[], answers: readonly (number | null)[], end: "delivered" | "exhausted" | "gone" | null): ChorusEvent[] {
    const last = story.at(-1) as ChorusEvent;
    let clock = Date.parse(last.occurred_at);
    const meta = () => ({ id: randomUUID(), version: 1 as const, request_id: last.request_id, tenant_id: "default", correlation_id: "manual", occurred_at: new Date((clock += 1000)).toISOString() });
    const before = story.filter((e) => e.type === "WebhookAttempted").length;
    const events: ChorusEvent[] = answers.map((code, i) => ({
      ...meta(),
      type: "WebhookAttempted",
      data: {
        webhook_id: "msg_1",
        attempt: before + i + 1,
        url: "https://example.test/hook",
        status_code: code,
        duration_ms: 5,
        error: code !== null && code < 300 ? null : `HTTP ${code}`,
        next_attempt_at: i < answers.length - 1 ? new Date(clock + 500).toISOString() : null,
      },
    }));
    const attempts = before + answers.length;
    if (end === "delivered") events.push({ ...meta(), type: "WebhookDelivered", data: { webhook_id: "msg_1", attempt: attempts, status_code: answers.at(-1) ?? 200 } });
    if (end === "exhausted") events.push({ ...meta(), type: "WebhookExhausted", data: { webhook_id: "msg_1", attempts, reason: "max retries", cause: "retries_used_up" } });
    if (end === "gone") events.push({ ...meta(), type: "WebhookExhausted", data: { webhook_id: "msg_1", attempts, reason: "receiver answered 410 Gone", cause: "gone" } });
    return events;
  }

  it("goes back to pending when a redelivery after exhaustion is retrying, and ends delivered, counting every attempt", () => {
    const id = randomUUID();
    const story = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
    const chain = redeliveryChain(story, [503, 502, 200], "delivered");
    const retrying = inOrder([...story, ...chain.slice(0, 1)]);
    expect(retrying.request(id)).toMatchObject({ webhook_status: "pending", webhook_attempts: 3, webhook_last_status_code: 503 });
    const all = inOrder([...story, ...chain]);
    expect(all.request(id)).toMatchObject({ webhook_status: "delivered", webhook_attempts: 5, webhook_last_status_code: 200, webhook_delivered_at: chain.at(-1)?.occurred_at });
    expect(all.attempts(id).map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
  });

  it("shows a redelivery after a delivery as pending while it retries, and as exhausted if it gives up", () => {
    const id = randomUUID();
    const story = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const chain = redeliveryChain(story, [500, 500], "exhausted");
    expect(inOrder([...story, ...chain.slice(0, 1)]).request(id)?.webhook_status).toBe("pending");
    const all = inOrder([...story, ...chain]);
    expect(all.request(id)).toMatchObject({ webhook_status: "exhausted", webhook_attempts: 4, webhook_delivered_at: story.at(-1)?.occurred_at });
  });

  it("says failed, not exhausted, when the chain stopped because retrying could not help", () => {
    const id = randomUUID();
    const story = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
    const tables = inOrder([...story, ...redeliveryChain(story, [410], "gone")]);
    expect(tables.request(id)).toMatchObject({ webhook_status: "failed", webhook_attempts: 3, webhook_last_status_code: 410 });
  });

  it("never shows failed while an attempt has a retry due", () => {
    const id = randomUUID();
    const story = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
    const events = [...story, ...redeliveryChain(story, [500, 503, 200], "delivered")];
    for (let n = 1; n <= events.length; n++) {
      const tables = inOrder(events.slice(0, n));
      const attempts = tables.attempts(id);
      const newest = attempts.sort((a, b) => b.stream_seq - a.stream_seq)[0];
      if (newest?.next_attempt_at && newest.stream_seq === n) expect(tables.request(id)?.webhook_status, `after ${n} events`).toBe("pending");
      expect(tables.request(id)?.webhook_status, `after ${n} events`).not.toBe("failed");
    }
  });

  for (const [name, end] of [
    ["exhausted, then redelivered and delivered", "delivered"],
    ["exhausted, then redelivered and gone", "gone"],
  ] as const) {
    it(`gives the same rows in any order: ${name}`, () => {
      const id = randomUUID();
      const story = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "exhausted" });
      const events = sequence([...story, ...redeliveryChain(story, end === "gone" ? [500, 410] : [500, 200], end)]);
      const expected = readModels();
      expected.applyAll(events);
      expect(expected.request(id)?.webhook_status).toBe(end === "gone" ? "failed" : "delivered");
      for (const order of [[...events].reverse(), ...Array.from({ length: 300 }, (_, seed) => shuffled(events, seed + 1))]) {
        const tables = readModels();
        tables.applyAll(order);
        expect(tables.snapshot(), `order ${order.map((e) => e.seq).join(",")}`).toEqual(expected.snapshot());
      }
    });
  }
});

describe("erasure of a request", () => {
  function erasure(of: ChorusEvent): Extract<ChorusEvent, { type: "RequestErased" }> {
    return {
      id: randomUUID(),
      type: "RequestErased",
      version: 1,
      request_id: of.request_id,
      tenant_id: of.tenant_id,
      occurred_at: "2030-01-01T00:00:00.000Z",
      correlation_id: of.correlation_id,
      data: { erased_by_key: "key_0123456789abcdef", status: "completed", orchestration_mode: "parallel", agents: ["sentiment"], created_at: of.occurred_at, completed_at: of.occurred_at, erased_events: 9 },
    };
  }

  it("keeps the row as the record of the erasure, without the webhook URL, agent rows or attempts", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const tables = inOrder([...events, erasure(events[0]!)]);
    expect(tables.request(id)).toMatchObject({
      status: "completed",
      webhook_url: null,
      idempotency_key: null,
      erased_at: "2030-01-01T00:00:00.000Z",
      erased_by_key: "key_0123456789abcdef",
    });
    expect(tables.agent(id, "sentiment")).toBeUndefined();
    expect(tables.attempts(id)).toEqual([]);
  });

  it("gives the same rows whatever came before the tombstone, and lets nothing of the request back in after it", () => {
    const id = randomUUID();
    const events = storyEvents({ requestId: id, agents: ["sentiment"], webhook: "delivered-on-retry" });
    const erased = erasure(events[0]!);
    const live = inOrder([...events, erased]);
    // A rebuild sees the tombstone alone; a replica may get the request's events after it.
    const rebuilt = readModels();
    rebuilt.apply(erased, events.length + 1);
    const late = readModels();
    late.apply(erased, events.length + 1);
    late.applyAll(sequence(events));
    expect(rebuilt.snapshot().requests).toEqual(live.snapshot().requests);
    expect(late.snapshot().requests).toEqual(live.snapshot().requests);
    for (const tables of [rebuilt, late]) {
      expect(tables.agent(id, "sentiment")).toBeUndefined();
      expect(tables.attempts(id)).toEqual([]);
    }
  });
});
