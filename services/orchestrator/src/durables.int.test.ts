// Upgrading a stream that still has the retired agent-events durable: the outcome durables
// take over where it stood, and it is removed.
import { describe, expect, it } from "vitest";
import { AckPolicy, DeliverPolicy, ensureDurable, isNotFound, publishEvent } from "@chorus/platform";
import { isolatedPerTest } from "@chorus/testing";
import { DURABLES, ensureOrchestratorDurables, RETIRED_AGENT_EVENTS_DURABLE } from "./durables.ts";
import { completed } from "./request/scenario.fixtures.ts";

const env = isolatedPerTest({ nats: true });

describe("the orchestrator's durables", () => {
  it("start the outcome durables at the retired durable's ack floor and remove it", async () => {
    const t = env.nats.topology;
    for (const [i, agent] of (["summarizer", "sentiment", "entity_extractor"] as const).entries()) {
      await publishEvent(env.nats.js, t, completed(agent, i), { msgID: `done-${agent}` });
    }
    await ensureDurable(env.nats.jsm, { stream: t.streams.events, durable: RETIRED_AGENT_EVENTS_DURABLE, filterSubject: t.subjects.agentEvents, ackWaitMs: 30_000, maxDeliver: 10, maxAckPending: 100 });
    // The retired durable handled the first two outcomes.
    const old = await env.nats.js.consumers.get(t.streams.events, RETIRED_AGENT_EVENTS_DURABLE);
    const batch = await old.fetch({ max_messages: 2, expires: 2_000 });
    for await (const m of batch) await m.ackAck();
    expect((await env.nats.jsm.consumers.info(t.streams.events, RETIRED_AGENT_EVENTS_DURABLE)).ack_floor.stream_seq).toBe(2);

    await ensureOrchestratorDurables(env.nats.jsm, t);

    await expect(env.nats.jsm.consumers.info(t.streams.events, RETIRED_AGENT_EVENTS_DURABLE)).rejects.toSatisfy(isNotFound);
    const completedDurable = await env.nats.jsm.consumers.info(t.streams.events, DURABLES.agentCompleted);
    expect(completedDurable.config.deliver_policy).toBe(DeliverPolicy.StartSequence);
    expect(completedDurable.config.opt_start_seq).toBe(3);
    expect(completedDurable.config.ack_policy).toBe(AckPolicy.Explicit);
    // Only the outcome the retired durable had not handled is left for the orchestrator.
    expect(completedDurable.num_pending).toBe(1);
  });

  it("deliver from the stream's start where no durable stood before", async () => {
    const t = env.nats.topology;
    await publishEvent(env.nats.js, t, completed("summarizer", 0), { msgID: "done" });
    await ensureOrchestratorDurables(env.nats.jsm, t);
    const info = await env.nats.jsm.consumers.info(t.streams.events, DURABLES.agentCompleted);
    expect(info.config.deliver_policy).toBe(DeliverPolicy.All);
    expect(info.num_pending).toBe(1);
    expect((await env.nats.jsm.consumers.info(t.streams.events, DURABLES.agentFailed)).num_pending).toBe(0);
  });
});
