// gRPC Orchestration over the whole pipeline: gateway (REST and gRPC), orchestrator,
// agents (local provider) and projector as processes on isolated NATS and Postgres, driven
// by a client built from the proto files, compared with what REST answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestView, type ChorusEvent } from "@chorus/contracts";
import { eventually, startPipeline, type RunningPipeline, type RunningService } from "@chorus/testing";
import { fromStruct, isoOf, orchestrationClient, type OrchestrationClient, type RequestMessage } from "./grpc-clients.fixtures.ts";

const ARTICLE =
  "Apple Inc. announced on Tuesday that Tim Cook will open a new research campus in Austin, Texas. " +
  "The company said the project would cost $1.2 billion and employ 3,000 engineers by March 2027. " +
  "Local officials welcomed the decision, calling it a great day for the city.";

let pipeline: RunningPipeline;
let gateway: RunningService;
let client: OrchestrationClient;

beforeAll(async () => {
  // No run here goes on for a minute, so none records an AgentStarted: each outcome carries its start.
  pipeline = await startPipeline({ env: { AGENT_PROVIDER: "local" }, agentsEnv: { AGENT_STARTED_AFTER_MS: "60000" } });
  gateway = pipeline.gateway;
  client = orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`);
});

afterAll(async () => {
  client?.close();
  // Rejects unless every process exits cleanly on SIGTERM.
  await pipeline?.stop();
});

async function restView(requestId: string): Promise<RequestView | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/results/${requestId}`);
  return res.status === 200 ? RequestView.parse(await res.json()) : undefined;
}

/** The gRPC request as REST's JSON shape, decoded the way a client would. */
function asRestShape(m: RequestMessage) {
  return {
    request_id: m.request_id,
    status: m.status,
    orchestration_mode: m.orchestration_mode.replace("ORCHESTRATION_MODE_", "").toLowerCase(),
    agents: m.agents,
    created_at: isoOf(m.created_at),
    completed_at: m.completed_at ? isoOf(m.completed_at) : null,
    results: Object.fromEntries(
      Object.entries(m.results).map(([agent, r]) => [agent, { status: r.status, provider: r.provider, model: r.model, output: r.output ? fromStruct(r.output) : null }]),
    ),
  };
}

function restShape(v: RequestView) {
  return {
    request_id: v.request_id,
    status: v.status,
    orchestration_mode: v.orchestration_mode,
    agents: v.agents,
    created_at: v.created_at,
    completed_at: v.completed_at,
    results: Object.fromEntries(Object.entries(v.results).map(([agent, r]) => [agent, { status: r?.status, provider: r?.provider, model: r?.model, output: r?.output }])),
  };
}

describe("gRPC Orchestration over the pipeline", () => {
  it.each([
    ["parallel", "ORCHESTRATION_MODE_PARALLEL"],
    ["sequential", "ORCHESTRATION_MODE_SEQUENTIAL"],
  ] as const)("in %s mode, Submit waits for the end and Get, List and Watch see the same data as REST", async (mode, protoMode) => {
    const submitted = await client.submit({ text: ARTICLE, orchestration_mode: protoMode });
    expect(submitted.done).toBe(true);
    expect(submitted.request.status).toBe("completed");
    expect(submitted.request.orchestration_mode).toBe(protoMode);
    const id = submitted.request.request_id;

    const projected = await eventually(async () => {
      const v = await restView(id);
      // The request row can say completed a moment before every agent row does: wait for all.
      const settled = v?.status === "completed" && Object.values(v.results).every((r) => r?.status === "completed");
      return settled ? v : undefined;
    });
    expect(projected.orchestration_mode).toBe(mode);
    const got = await client.getRequest({ request_id: id });
    expect(asRestShape(got)).toEqual(restShape(projected));
    expect(asRestShape(submitted.request)).toEqual(restShape(projected));

    // Single-request reads fold in the stream's facts, but the list is the read model alone and
    // may still lag a moment: compare the lists once the read model has settled every row on the page.
    const restList = await eventually(async () => {
      const page = (await (await fetch(`${gateway.url}/api/v1/results?page_size=5`)).json()) as { items: RequestView[]; total: number };
      const settled = (v: RequestView) => v.status === "completed" && Object.values(v.results).every((r) => r?.status === "completed");
      return page.items.some((i) => i.request_id === id) && page.items.every(settled) ? page : undefined;
    });
    const list = await client.listRequests({ page_size: 5 });
    expect(list.items.map((i) => i.request_id)).toEqual(restList.items.map((i) => i.request_id));
    expect(Number(list.total)).toBe(restList.total);
    expect(list.items.map(asRestShape)).toEqual(restList.items.map(restShape));
    // The list's filters, as REST's: this parallel request is under its mode and agent, and under no other mode.
    const filtered = await client.listRequests({ page_size: 100, orchestration_mode: projected.orchestration_mode, agent: "sentiment" });
    expect(filtered.items.map((i) => i.request_id)).toContain(id);
    const other = projected.orchestration_mode === "parallel" ? "sequential" : "parallel";
    expect((await client.listRequests({ page_size: 100, orchestration_mode: other })).items.map((i) => i.request_id)).not.toContain(id);

    const events = await client.watch(id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("RequestAccepted");
    expect(types.at(-1)).toBe("RequestCompleted");
    expect(types.filter((t) => t === "AgentCompleted")).toHaveLength(3);
    const seqs = events.map((e) => Number(e.stream_sequence));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.request_id))).toEqual(new Set([id]));
    const end = fromStruct(events.at(-1)?.data) as ChorusEvent["data"] & { status: string };
    expect(end.status).toBe("completed");
    expect(types).not.toContain("AgentStarted");
    // Watch shows each outcome's started_at: in sequential mode each run began after the one before it ended.
    const outcomes = events.filter((e) => e.type === "AgentCompleted").map((e) => ({ ...(fromStruct(e.data) as { agent: string; started_at: string }), ended: isoOf(e.occurred_at) }));
    for (const o of outcomes) expect(Date.parse(o.started_at), o.agent).toBeLessThanOrEqual(Date.parse(o.ended));
    if (mode === "sequential") {
      expect(outcomes.map((o) => o.agent)).toEqual(["summarizer", "sentiment", "entity_extractor"]);
      for (const [i, o] of outcomes.entries()) if (i > 0) expect(Date.parse(o.started_at), o.agent).toBeGreaterThanOrEqual(Date.parse(outcomes[i - 1]!.ended));
    }
  });

  it("a Watch opened after the end still gets every event, the same ones as one opened while it ran", async () => {
    const submitted = await client.submit({ text: ARTICLE, respond_async: true });
    const id = submitted.request.request_id;
    await eventually(() => client.getRequest({ request_id: id }).catch(() => undefined));
    const during = await client.watch(id);
    const after = await client.watch(id);
    expect(during.at(-1)?.type).toBe("RequestCompleted");
    expect(after.map((e) => e.id)).toEqual(during.map((e) => e.id));
    expect(after.map((e) => e.stream_sequence)).toEqual(during.map((e) => e.stream_sequence));
  });

  it("the SSE stream of a request carries the same events, in the same order, as the gRPC Watch", async () => {
    const submitted = await client.submit({ text: ARTICLE });
    const id = submitted.request.request_id;
    const watched = await client.watch(id);
    const res = await fetch(`${gateway.url}/api/v1/results/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
    expect(ids).toEqual(watched.map((e) => e.stream_sequence));
  });
});
