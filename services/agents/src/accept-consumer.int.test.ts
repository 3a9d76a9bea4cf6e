// The agents' second input on real NATS: a parallel request's RequestAccepted (version 2)
// is its agents' dispatch, so each listed agent runs from it through its own durable, with
// no task message; accepts that are not an agent's dispatch are acked without a run.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { acceptSubmission, RequestAccepted, type AgentId, type EventOf, type OrchestrationMode } from "@chorus/contracts";
import { agentAcceptsDurableName, publishEvent } from "@chorus/platform";
import { eventually, isolatedPerTest, recordedEventsOf, untilQuiet } from "@chorus/testing";
import { ProviderError, type AgentProvider, type AnalyzeRequest } from "./providers/provider.ts";
import { ARTICLE, ofType, startTestAgents, tasksLeft } from "./agent-tasks.fixtures.ts";

const env = isolatedPerTest({ nats: true });

/** Answers every agent at once, recording each call; fails the first `failFirst` calls of the `flaky` agents with a retryable error. */
function countingProvider(flaky?: { agents: AgentId[]; failFirst: number }): AgentProvider & { calls: AnalyzeRequest[] } {
  const calls: AnalyzeRequest[] = [];
  let failures = 0;
  const outputs = {
    summarizer: { summary: "A store opened.", key_points: ["store opened"] },
    sentiment: { label: "positive", score: 0.5, confidence: 0.8 },
    entity_extractor: { entities: [] },
  } as const;
  return {
    name: "counting",
    calls,
    modelFor: () => "counting-1",
    check: async () => undefined,
    analyze: async (request) => {
      calls.push(request);
      if (flaky?.agents.includes(request.agent) && failures < flaky.failFirst) {
        failures++;
        throw new ProviderError("slow down", { code: "rate_limited", retryable: true, retryAfterMs: 10 });
      }
      return { output: outputs[request.agent], usage: null, model: "counting-1" };
    },
  };
}

async function accept(mode: OrchestrationMode, agents: AgentId[], version: 1 | 2 = 2): Promise<{ accepted: EventOf<"RequestAccepted">; seq: number }> {
  const requestId = randomUUID();
  const current = acceptSubmission(
    {
      request_id: requestId,
      tenant_id: "acme",
      correlation_id: `corr-${requestId.slice(0, 8)}`,
      data: { text: ARTICLE, orchestration_mode: mode, agents, webhook: null, idempotency_key: null, fingerprint: null },
    },
    { id: randomUUID(), occurredAt: new Date().toISOString(), agentTimeoutMs: 60_000 },
  );
  const { dispatch: _, ...v1 } = current.data;
  const accepted = RequestAccepted.parse(version === 1 ? { ...current, version: 1, data: v1 } : current);
  const ack = await publishEvent(env.nats.js, env.nats.topology, accepted, { msgID: `${requestId}:accepted` });
  return { accepted, seq: ack.seq };
}

const outcomesOf = async (requestId: string) => {
  const events = await recordedEventsOf(env.nats, requestId);
  return [...ofType(events, "AgentCompleted"), ...ofType(events, "AgentFailed")];
};

/** The request's agent outcomes, once there are `count` of them. */
const outcomesOnceThereAre = (requestId: string, count: number) =>
  eventually(async () => {
    const found = await outcomesOf(requestId);
    return found.length === count ? found : undefined;
  });

describe("agents running from a parallel request's accept", () => {
  it("runs each listed agent once from the accept, under the accept's deadline, with no task message", async () => {
    const provider = countingProvider();
    const agents = await startTestAgents(env.nats, { provider, agents: ["summarizer", "sentiment", "entity_extractor"] });
    env.defer(() => agents.stop());
    const { accepted } = await accept("parallel", ["summarizer", "sentiment"]);

    const outcomes = await outcomesOnceThereAre(accepted.request_id, 2);
    expect(outcomes.map((o) => o.type)).toEqual(["AgentCompleted", "AgentCompleted"]);
    expect(outcomes.map((o) => o.data.agent).sort()).toEqual(["sentiment", "summarizer"]);
    expect(outcomes.every((o) => o.correlation_id === accepted.correlation_id && o.tenant_id === "acme")).toBe(true);
    for (const agent of ["summarizer", "sentiment", "entity_extractor"] as const) await untilQuiet(env.nats, env.nats.topology.streams.events, agentAcceptsDurableName(agent));
    // The entity extractor was not asked for: it acked the accept without a call.
    expect(provider.calls.map((c) => c.agent).sort()).toEqual(["sentiment", "summarizer"]);
    expect(provider.calls.every((c) => c.text === ARTICLE && Object.keys(c.context).length === 0)).toBe(true);
    expect(await tasksLeft(env.nats)).toBe(0);
    expect((await env.nats.jsm.streams.info(env.nats.topology.streams.tasks)).state.last_seq).toBe(0);
  });

  it("leaves sequential accepts and accepts of version 1 to the orchestrator's tasks", async () => {
    const provider = countingProvider();
    const agents = await startTestAgents(env.nats, { provider, agents: ["summarizer", "sentiment"] });
    env.defer(() => agents.stop());
    const sequential = await accept("sequential", ["summarizer", "sentiment"]);
    const v1 = await accept("parallel", ["summarizer", "sentiment"], 1);
    for (const agent of ["summarizer", "sentiment"] as const) await untilQuiet(env.nats, env.nats.topology.streams.events, agentAcceptsDurableName(agent), v1.seq);
    expect(provider.calls).toEqual([]);
    expect(await outcomesOf(sequential.accepted.request_id)).toEqual([]);
    expect(await outcomesOf(v1.accepted.request_id)).toEqual([]);
  });

  it("retries a provider's retryable failure by redelivering the accept to that agent alone", async () => {
    const provider = countingProvider({ agents: ["sentiment"], failFirst: 2 });
    const agents = await startTestAgents(env.nats, { provider, agents: ["summarizer", "sentiment"] });
    env.defer(() => agents.stop());
    const { accepted } = await accept("parallel", ["summarizer", "sentiment"]);
    const outcomes = await outcomesOnceThereAre(accepted.request_id, 2);
    expect(outcomes.every((o) => o.type === "AgentCompleted")).toBe(true);
    await untilQuiet(env.nats, env.nats.topology.streams.events, agentAcceptsDurableName("sentiment"));
    expect(provider.calls.filter((c) => c.agent === "sentiment")).toHaveLength(3);
    expect(provider.calls.filter((c) => c.agent === "summarizer")).toHaveLength(1);
  });

  it("dead-letters the accept once per agent that used up its deliveries, each copy naming its consumer", async () => {
    const provider = countingProvider({ agents: ["summarizer", "sentiment"], failFirst: 1_000 });
    const agents = await startTestAgents(env.nats, { provider, agents: ["summarizer", "sentiment"], maxDeliver: 2 });
    env.defer(() => agents.stop());
    const { accepted } = await accept("parallel", ["summarizer", "sentiment"]);
    const outcomes = await outcomesOnceThereAre(accepted.request_id, 2);
    expect(outcomes.map((o) => o.type)).toEqual(["AgentFailed", "AgentFailed"]);
    const t = env.nats.topology;
    const consumers = await eventually(async () => {
      const info = await env.nats.jsm.streams.info(t.streams.deadLetters);
      if (info.state.messages < 2) return undefined;
      const copies = await Promise.all([info.state.first_seq, info.state.first_seq + 1].map((seq) => env.nats.jsm.streams.getMessage(t.streams.deadLetters, { seq })));
      return copies.map((m) => m?.header.get("Chorus-Dead-Letter-Consumer")).sort();
    });
    expect(consumers).toEqual([agentAcceptsDurableName("sentiment"), agentAcceptsDurableName("summarizer")]);
  });

  it("dead-letters an accept that is not a valid RequestAccepted, with its reason, and runs nothing", async () => {
    const provider = countingProvider();
    const agents = await startTestAgents(env.nats, { provider, agents: ["summarizer"] });
    env.defer(() => agents.stop());
    const t = env.nats.topology;
    const requestId = randomUUID();
    const subject = t.subjects.requestEvent(requestId, "accepted");
    const poison = await env.nats.js.publish(subject, JSON.stringify({ type: "RequestAccepted", version: 9, request_id: requestId }));
    await untilQuiet(env.nats, t.streams.events, agentAcceptsDurableName("summarizer"), poison.seq);
    const dead = await env.nats.jsm.streams.getMessage(t.streams.deadLetters, { last_by_subj: t.subjects.deadLetter(subject) });
    expect(dead?.header.get("Chorus-Dead-Letter-Reason")).toMatch(/version|invalid/i);
    expect(provider.calls).toEqual([]);
  });
});
