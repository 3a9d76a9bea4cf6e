// The whole pipeline as separate processes: gateway, orchestrator, agents (local
// provider) and projector on the real NATS and Postgres, driven through the REST API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestView, parseAgentOutput, type AgentId, type ChorusEvent } from "@chorus/contracts";
import { eventually, postProcess, recordedEventsOf, startPipeline, type IsolatedNats, type RunningPipeline, type RunningService } from "@chorus/testing";

const ARTICLE =
  "Apple Inc. announced on Tuesday that Tim Cook will open a new research campus in Austin, Texas. " +
  "The company said the project would cost $1.2 billion and employ 3,000 engineers by March 2027. " +
  "Local officials welcomed the decision, calling it a great day for the city. " +
  "Critics, however, warned that rising housing costs could hurt long-time residents. " +
  "Analysts at Morgan Stanley expect the campus to strengthen Apple's position in machine learning. " +
  "Construction is scheduled to begin next spring, pending final approval from the city council.";

let pipeline: RunningPipeline;
let nats: IsolatedNats;
let gateway: RunningService;

beforeAll(async () => {
  // No run here goes on for a minute, so none records an AgentStarted: each outcome carries its start.
  pipeline = await startPipeline({ env: { AGENT_PROVIDER: "local" }, agentsEnv: { AGENT_STARTED_AFTER_MS: "60000" } });
  ({ nats, gateway } = pipeline);
});

afterAll(async () => {
  // Rejects unless every process exits cleanly on SIGTERM.
  await pipeline?.stop();
});

const post = (body: unknown) => postProcess(gateway.url, body);

function recordedEvents(requestId: string): Promise<ChorusEvent[]> {
  return recordedEventsOf(nats, requestId);
}

function expectCompletedWithAllOutputs(view: RequestView, agents: AgentId[]) {
  expect(RequestView.safeParse(view).success).toBe(true);
  expect(view.status).toBe("completed");
  expect(view.agents).toEqual(agents);
  for (const agent of agents) {
    const result = view.results[agent];
    expect(result?.status, `${agent}: ${JSON.stringify(result?.error)}`).toBe("completed");
    expect(result?.provider).toBe("local");
    expect(parseAgentOutput(agent, result?.output).success).toBe(true);
  }
}

describe("the pipeline, end to end", () => {
  it.each(["parallel", "sequential"] as const)(
    "a waiting POST in %s mode answers 200 with all three agents' output, and the read model agrees",
    async (mode) => {
      const agents: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];
      const { status, body } = await post({ text: ARTICLE, orchestration_mode: mode });
      expect(status).toBe(200);
      expect(body.orchestration_mode).toBe(mode);
      expectCompletedWithAllOutputs(body, agents);
      const entities = (body.results.entity_extractor?.output as { entities: { text: string; type: string }[] }).entities;
      expect(entities.some((e) => e.type === "LOCATION" && e.text.includes("Austin"))).toBe(true);
      expect(entities.some((e) => e.type === "MONEY")).toBe(true);

      const stored = await eventually(async () => {
        const res = await fetch(`${gateway.url}/api/v1/results/${body.request_id}`);
        if (res.status !== 200) return undefined;
        const view = (await res.json()) as RequestView;
        return view.status === "completed" ? view : undefined;
      });
      expectCompletedWithAllOutputs(stored, agents);
      expect(stored.results).toEqual(body.results);
      expect(stored.created_at).toBe(body.created_at);
      expect(stored.completed_at).toBe(body.completed_at);
    },
  );

  it("records the parallel request's events: accepted first (its agents' dispatch), each agent's outcome with its start, one end last", async () => {
    const { body } = await post({ text: ARTICLE, orchestration_mode: "parallel" });
    const events = await recordedEvents(body.request_id);
    const accepted = events[0];
    expect(accepted?.type).toBe("RequestAccepted");
    // Version 2: the accept is the dispatch, under the deadline it records.
    expect(accepted).toMatchObject({ version: 2, data: { dispatch: { deadline_at: expect.any(String) } } });
    expect(events.at(-1)?.type).toBe("RequestCompleted");
    expect(events.filter((e) => e.type === "RequestCompleted" || e.type === "RequestFailed")).toHaveLength(1);
    // 5 events: accepted, 3 outcomes, the end; no AgentDispatched (the accept is the
    // dispatch) and no AgentStarted for a quick run.
    expect(events).toHaveLength(5);
    for (const agent of ["summarizer", "sentiment", "entity_extractor"]) {
      const mine = events.filter((e) => "agent" in e.data && e.data.agent === agent);
      expect(mine.map((e) => e.type)).toEqual(["AgentCompleted"]);
      const completed = mine[0] as ChorusEvent;
      const startedAt = completed.type === "AgentCompleted" ? completed.data.started_at : undefined;
      // One machine, one clock: the run began after its dispatch (the accept) and before its outcome.
      expect(Date.parse(startedAt ?? ""), agent).toBeGreaterThanOrEqual(Date.parse(accepted?.occurred_at ?? ""));
      expect(Date.parse(startedAt ?? ""), agent).toBeLessThanOrEqual(Date.parse(completed.occurred_at));
    }
  });

  it("runs a sequential request's agents one after another, each later one after the earlier completed", async () => {
    const agents: AgentId[] = ["entity_extractor", "summarizer"];
    const { status, body } = await post({ text: ARTICLE, orchestration_mode: "sequential", agents });
    expect(status).toBe(200);
    expectCompletedWithAllOutputs(body, agents);
    expect(body.results.sentiment).toBeUndefined();
    const types = (await recordedEvents(body.request_id)).map((e) => `${e.type}${"agent" in e.data ? `:${e.data.agent}` : ""}`);
    expect(types).toEqual([
      "RequestAccepted",
      "AgentDispatched:entity_extractor",
      "AgentCompleted:entity_extractor",
      "AgentDispatched:summarizer",
      "AgentCompleted:summarizer",
      "RequestCompleted",
    ]);
  });

  it("answers bad input with a 422 in the API's error shape and starts no work", async () => {
    const before = (await nats.jsm.streams.info(nats.topology.streams.events)).state.messages;
    const { status, body: error } = await postProcess<{ error: string; message: string }>(gateway.url, { text: "too short", agents: ["summarizer", "oracle"] });
    expect(status).toBe(422);
    expect(error.error).toBe("ValidationError");
    expect(error.message).toMatch(/text|agents/);
    expect((await nats.jsm.streams.info(nats.topology.streams.events)).state.messages).toBe(before);
  });
});
