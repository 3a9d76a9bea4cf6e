// The erasure sweep against the real NATS: on a request's RequestErased tombstone it
// deletes the request's events (all but the tombstone), its queued tasks and its dead
// letters, nobody else's; and sweeps again after the grace period, removing what the
// request recorded after the first sweep (a late outcome, an attempt under way).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ChorusEvent, EventOf } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import { acceptedRequest, completedEnd, eventually, isolatedPerTest, testLogger } from "@chorus/testing";
import { ERASURE_DURABLE, startErasureSweep } from "./sweep.ts";

const env = isolatedPerTest({ nats: true });
const MARKER = "Ophelia Quarrington-Vance";

async function record(event: ChorusEvent): Promise<void> {
  await publishEvent(env.nats.js, env.nats.topology, event, { msgID: event.id });
}

/** The request's messages in the events stream, as text. */
async function storedOf(requestId: string): Promise<string[]> {
  const { jsm, topology: t } = env.nats;
  const subjects = (await jsm.streams.info(t.streams.events, { subjects_filter: t.subjects.requestEvents(requestId) })).state.subjects ?? {};
  const stored: string[] = [];
  for (const subject of Object.keys(subjects)) {
    const m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject });
    if (m) stored.push(m.string());
  }
  return stored;
}

async function isStored(stream: string, seq: number): Promise<boolean> {
  return (await env.nats.jsm.streams.getMessage(stream, { seq }).catch(() => null)) !== null;
}

function tombstoneOf(requestId: string): EventOf<"RequestErased"> {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    type: "RequestErased",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: at,
    correlation_id: "corr-erase",
    data: { erased_by_key: null, status: "completed", orchestration_mode: "parallel", agents: ["summarizer"], created_at: at, completed_at: at, erased_events: 2 },
  };
}

function lateOutcome(requestId: string): EventOf<"AgentCompleted"> {
  return {
    id: randomUUID(),
    type: "AgentCompleted",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: "corr-late",
    data: { agent: "summarizer", provider: "local", model: "m", output: { summary: MARKER, key_points: [] }, duration_ms: 1, usage: null },
  };
}

describe("the erasure sweep", () => {
  it("deletes the request's events, queued tasks and dead letters, nobody else's, and sweeps again for what came after", async () => {
    const { js, jsm, topology: t } = env.nats;
    const erased = acceptedRequest(randomUUID(), { text: `A note about ${MARKER}.` });
    const kept = acceptedRequest(randomUUID(), { text: `Another note about ${MARKER}.` });
    for (const accepted of [erased, kept]) {
      await record(accepted);
      await record(completedEnd(null, { requestId: accepted.request_id }));
    }
    const task = (requestId: string) => JSON.stringify({ type: "AgentTask", request_id: requestId, data: { text: MARKER } });
    const queued = await js.publish(t.subjects.task("summarizer"), task(erased.request_id));
    const othersTask = await js.publish(t.subjects.task("summarizer"), task(kept.request_id));
    const deadTask = await js.publish(t.subjects.deadLetter(t.subjects.task("summarizer")), task(erased.request_id));
    const deadEvent = await js.publish(t.subjects.deadLetter(t.subjects.requestEvent(erased.request_id, "completed")), "not even JSON");
    const othersDead = await js.publish(t.subjects.deadLetter(t.subjects.task("summarizer")), task(kept.request_id));

    await record(tombstoneOf(erased.request_id));
    const sweep = await startErasureSweep({ js, jsm, topology: t, logger: testLogger, sweepAgainAfterMs: 5_000 });
    env.defer(() => sweep.stop());
    await eventually(async () => ((await storedOf(erased.request_id)).length === 1 ? true : undefined), 30_000);
    // In flight when it was erased: recorded after the first sweep (well within the grace
    // period before the next), gone after the next.
    await record(lateOutcome(erased.request_id));
    expect(await isStored(t.streams.tasks, queued.seq)).toBe(false);
    expect(await isStored(t.streams.deadLetters, deadTask.seq)).toBe(false);
    expect(await isStored(t.streams.deadLetters, deadEvent.seq)).toBe(false);
    expect(await storedOf(kept.request_id)).toHaveLength(2);
    expect(await isStored(t.streams.tasks, othersTask.seq)).toBe(true);
    expect(await isStored(t.streams.deadLetters, othersDead.seq)).toBe(true);
    await eventually(async () => ((await storedOf(erased.request_id)).length === 1 ? true : undefined), 30_000);
    expect(JSON.parse((await storedOf(erased.request_id))[0] ?? "{}")).toMatchObject({ type: "RequestErased" });
    // A sweep that finds nothing ends the tombstone's sweeping: nothing of it waits on the durable.
    await eventually(async () => ((await jsm.consumers.info(t.streams.events, ERASURE_DURABLE)).num_ack_pending === 0 ? true : undefined), 30_000);
  });
});
