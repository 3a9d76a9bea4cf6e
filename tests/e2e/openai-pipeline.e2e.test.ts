// The whole pipeline on an OpenAI-compatible server: gateway, orchestrator, agents
// (AGENT_PROVIDER=openai, OPENAI_BASE_URL at a scripted server) and projector as real
// processes on the real NATS and Postgres, driven through the REST API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AGENT_IDS,
  RequestView,
  type AgentId,
  type EntitiesOutput,
  type SentimentOutput,
  type SummaryOutput,
  type TokenUsage,
} from "@chorus/contracts";
import {
  completionReply,
  errorReply,
  eventually,
  schemaNameOf,
  startOpenAiServer,
  postProcess,
  startPipeline,
  type RecordedRequest,
  type RunningPipeline,
  type RunningService,
  type ScriptedOpenAiServer,
} from "@chorus/testing";

const MODEL = "scripted-model";

const SUMMARY: SummaryOutput = {
  summary: "Apple will build a research campus in Austin for $1.2 billion.",
  key_points: ["Apple picked Austin, Texas", "The campus costs $1.2 billion", "It will employ 3,000 engineers"],
};
const SENTIMENT: SentimentOutput = { label: "mixed", score: 0.2, confidence: 0.75 };
const NAMED_ENTITIES = [
  { text: "Apple Inc.", type: "ORGANIZATION" },
  { text: "Austin, Texas", type: "LOCATION" },
  { text: "$1.2 billion", type: "MONEY" },
] as const;

/** Distinct per agent, so a wrong attribution or a wrong sum shows. */
const USAGE: Record<AgentId, TokenUsage> = {
  summarizer: { prompt_tokens: 311, completion_tokens: 57, total_tokens: 368 },
  sentiment: { prompt_tokens: 203, completion_tokens: 11, total_tokens: 214 },
  entity_extractor: { prompt_tokens: 425, completion_tokens: 38, total_tokens: 463 },
};

const ANSWERS: Record<AgentId, unknown> = {
  summarizer: SUMMARY,
  sentiment: SENTIMENT,
  entity_extractor: { entities: NAMED_ENTITIES },
};

function article(topic: string): string {
  return (
    `Apple Inc. announced on Tuesday that it will open a new ${topic} campus in Austin, Texas. ` +
    "The company said the project would cost $1.2 billion and employ 3,000 engineers by March 2027. " +
    "Local officials welcomed the decision, while critics warned about rising housing costs."
  );
}

/** Where each named entity sits in `text`, as the agents place them. */
function placed(text: string): EntitiesOutput {
  return {
    entities: NAMED_ENTITIES.map((e) => {
      const start = text.indexOf(e.text);
      return { text: e.text, type: e.type, start, end: start + e.text.length };
    }),
  };
}

let pipeline: RunningPipeline;
let server: ScriptedOpenAiServer;
let gateway: RunningService;

beforeAll(async () => {
  server = await startOpenAiServer();
  // Answers by the agent asking (the structured output's schema name), in the model asked for.
  server.respondWith((request) => {
    const agent = schemaNameOf(request) as AgentId | undefined;
    if (!agent || !(agent in ANSWERS)) return errorReply(400, `no scripted answer for schema ${String(agent)}`);
    return completionReply(ANSWERS[agent], { model: request.body?.model, usage: USAGE[agent] });
  });
  pipeline = await startPipeline({ agentsEnv: { AGENT_PROVIDER: "openai", OPENAI_API_KEY: "test", OPENAI_BASE_URL: server.baseURL, OPENAI_MODEL: MODEL } });
  gateway = pipeline.gateway;
});

afterAll(async () => {
  // Rejects unless every process exits cleanly on SIGTERM.
  await pipeline?.stop();
  await server?.close();
});

const post = (body: unknown) => postProcess(gateway.url, body);

/** The request as the read model has it, once the projector has recorded its end. */
function storedView(requestId: string): Promise<RequestView> {
  return eventually(async () => {
    const res = await fetch(`${gateway.url}/api/v1/results/${requestId}`);
    if (res.status !== 200) return undefined;
    const view = RequestView.parse(await res.json());
    return view.status === "completed" ? view : undefined;
  });
}

/** The chat requests the server received for one text (its user message carries the text). */
function chatRequestsFor(text: string): RecordedRequest[] {
  return server.chatRequests().filter((r) => r.body?.messages.some((m) => m.role === "user" && m.content.includes(text)));
}

function userPrompt(request: RecordedRequest | undefined): string {
  return request?.body?.messages.find((m) => m.role === "user")?.content ?? "";
}

describe("the pipeline on an OpenAI-compatible server", () => {
  it("answers a waiting parallel POST with every agent's output, and records provider, model and tokens per agent and in total", async () => {
    const text = article("research");
    const { status, body } = await post({ text, orchestration_mode: "parallel" });
    expect(status).toBe(200);
    expect(body.status).toBe("completed");
    expect(body.results.summarizer?.output).toEqual(SUMMARY);
    expect(body.results.sentiment?.output).toEqual(SENTIMENT);
    expect(body.results.entity_extractor?.output).toEqual(placed(text));

    const stored = await storedView(body.request_id);
    for (const agent of AGENT_IDS) {
      const result = stored.results[agent];
      expect(result, agent).toMatchObject({ status: "completed", provider: "openai", model: MODEL, usage: USAGE[agent], error: null });
    }
    expect(stored.usage_total).toEqual({
      prompt_tokens: 311 + 203 + 425,
      completion_tokens: 57 + 11 + 38,
      total_tokens: 368 + 214 + 463,
    });
    expect(stored.results).toEqual(body.results);

    // One chat request per agent, each for the configured model and its own structured output.
    const requests = chatRequestsFor(text);
    expect(requests.map((r) => schemaNameOf(r)).toSorted()).toEqual(["entity_extractor", "sentiment", "summarizer"]);
    expect(requests.map((r) => r.body?.model)).toEqual([MODEL, MODEL, MODEL]);
    expect(requests.every((r) => r.status === 200)).toBe(true);
  });

  it("in sequential mode, puts the earlier agents' outputs into each later agent's prompt", async () => {
    const text = article("design");
    const { status, body } = await post({ text, orchestration_mode: "sequential" });
    expect(status).toBe(200);
    expect(body.status).toBe("completed");
    expect(body.agents).toEqual(["summarizer", "sentiment", "entity_extractor"]);

    const requests = chatRequestsFor(text);
    // One after another, in the request's agent order.
    expect(requests.map((r) => schemaNameOf(r))).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    const [summarizer, sentiment, entities] = requests.map(userPrompt);
    expect(summarizer).not.toContain("Outputs of the agents that already ran");
    expect(sentiment).toContain(`summarizer: ${JSON.stringify(SUMMARY)}`);
    expect(sentiment).not.toContain("sentiment: ");
    expect(entities).toContain(`summarizer: ${JSON.stringify(SUMMARY)}`);
    expect(entities).toContain(`sentiment: ${JSON.stringify(SENTIMENT)}`);

    const stored = await storedView(body.request_id);
    expect(stored.usage_total?.total_tokens).toBe(368 + 214 + 463);
    expect(stored.results.entity_extractor?.output).toEqual(placed(text));
  });
});
