// The agents on the openai provider, end to end through NATS: tasks in, outcome events
// out, against a scripted OpenAI-compatible server. Usage reaches the events; a task
// that keeps failing ends as AgentFailed and in the dead-letter stream; two replicas
// share one rate limit through a NATS KV bucket.
import { beforeEach, describe, expect, it } from "vitest";
import { connectNats, HEADER, jetStreamClients } from "@chorus/platform";
import { completionReply, errorReply, eventually, isolatedPerTest, NATS_URL, recordedEventsOf, startOpenAiServer, testLogger, type ScriptedOpenAiServer } from "@chorus/testing";
import { openAiProvider, type OpenAiSettings } from "./providers/openai/index.ts";
import { kvRateLimiter, rateLimitBucket, rateLimitKey, type RateLimits } from "./rate-limit/index.ts";
import type { Agents, AgentsDeps } from "./start-agents.ts";
import { agentTask, ofType, publishTask, startTestAgents, tasksLeft } from "./agent-tasks.fixtures.ts";

// The rate-limit bucket lives under the test's prefix, so the NATS clean-up removes it.
const env = isolatedPerTest({ nats: true });
let server: ScriptedOpenAiServer;

beforeEach(async () => {
  server = await startOpenAiServer();
  env.defer(() => server.close());
});

const SENTIMENT = { label: "negative", score: -0.6, confidence: 0.8 };
const USAGE = { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 };

function settings(overrides: Partial<OpenAiSettings> = {}): OpenAiSettings {
  return {
    apiKey: "sk-test",
    baseURL: server.baseURL,
    model: "gpt-4o-mini",
    timeoutMs: 5_000,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 50 },
    maxInputTokens: 10_000,
    ...overrides,
  };
}

async function start(overrides: Partial<AgentsDeps> = {}): Promise<Agents> {
  const agents = await startTestAgents(env.nats, { provider: openAiProvider(settings()), agents: ["sentiment"], maxDeliver: 3, ...overrides });
  env.defer(() => agents.stop());
  return agents;
}

describe("the agents on the openai provider", () => {
  it("records the provider, the model that answered and the token usage on AgentCompleted", async () => {
    server.enqueue(completionReply(SENTIMENT, { usage: USAGE, model: "gpt-4o-mini-2024-07-18" }));
    // Every start recorded, to see the model it was asked for beside the one that answered.
    await start({ startedAfterMs: 0 });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const completed = await eventually(async () => ofType(await recordedEventsOf(env.nats, task.request_id), "AgentCompleted")[0]);
    expect(completed.data).toMatchObject({ agent: "sentiment", provider: "openai", model: "gpt-4o-mini-2024-07-18", output: SENTIMENT, usage: USAGE });
    const startedEvent = ofType(await recordedEventsOf(env.nats, task.request_id), "AgentStarted")[0];
    expect(startedEvent?.data).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });
  });

  it("records AgentFailed invalid_output with the reason and both calls' tokens after a second invalid answer", async () => {
    server.enqueue(completionReply({ label: "great" }, { usage: USAGE }), completionReply({ label: "great" }, { usage: USAGE }));
    await start();
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const failed = await eventually(async () => ofType(await recordedEventsOf(env.nats, task.request_id), "AgentFailed")[0]);
    expect(failed.data.error.code).toBe("invalid_output");
    expect(failed.data.error.message).toMatch(/label/);
    expect(failed.data.usage).toEqual({ prompt_tokens: 642, completion_tokens: 24, total_tokens: 666 });
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("ends a task that gets 500s on every delivery as AgentFailed with the reason, and dead-letters it", async () => {
    server.respondWith(() => errorReply(503, "The engine is currently overloaded"));
    await start({ maxDeliver: 2, startedAfterMs: 0 });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const events = await eventually(async () => {
      const es = await recordedEventsOf(env.nats, task.request_id);
      return ofType(es, "AgentFailed").length > 0 ? es : undefined;
    });
    expect(ofType(events, "AgentStarted").map((e) => e.data.delivery)).toEqual([1, 2]);
    const failed = ofType(events, "AgentFailed")[0]!;
    expect(failed.data.error.code).toBe("unavailable");
    expect(failed.data.error.message).toMatch(/503.*gave up after 2 deliveries/);
    // Two deliveries, each one call and one retry.
    expect(server.chatRequests()).toHaveLength(4);

    const dead = await eventually(async () => {
      const info = await env.nats.jsm.streams.info(env.nats.topology.streams.deadLetters);
      return info.state.messages > 0 ? env.nats.jsm.streams.getMessage(env.nats.topology.streams.deadLetters, { seq: info.state.first_seq }) : undefined;
    });
    expect(dead?.subject).toBe(env.nats.topology.subjects.deadLetter(env.nats.topology.subjects.task("sentiment")));
    expect(dead?.json<{ id: string }>().id).toBe(task.id);
    expect(dead?.header.get(HEADER.reason)).toMatch(/unavailable: .*gave up after 2 deliveries/);
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
  });
});

describe("the rate limit shared by two replicas", () => {
  it("keeps a burst within the server's limit, with no 429, across two processes' worth of agents", async () => {
    // The server allows 6 requests per 2 s, refilling continuously; the agents are configured
    // just under it, as one would configure them under OpenAI's limit, so that a request
    // that reaches the server a little after its grant still fits. Unshared, the two
    // replicas would send 10 at once and get 429s.
    server.rateLimit({ requests: 6, windowMs: 2_000 });
    server.respondWith(() => completionReply(SENTIMENT));
    const limits: RateLimits = { requestsPerWindow: 5, tokensPerWindow: null, windowMs: 2_000 };

    for (const replica of [1, 2]) {
      // Each replica has its own NATS connection, provider and limiter, as separate processes would.
      const nc = await connectNats({ url: NATS_URL, name: `replica-${replica}`, logger: testLogger });
      env.defer(() => nc.close());
      const { js, jsm } = await jetStreamClients(nc);
      const limiter = await kvRateLimiter({ js, bucket: rateLimitBucket(env.nats.topology), key: rateLimitKey(server.baseURL), limits });
      await start({ js, jsm, provider: openAiProvider(settings({ apiKey: `sk-replica-${replica}` }), { limiter }), concurrency: 4 });
    }

    const tasks = Array.from({ length: 16 }, () => agentTask("sentiment"));
    for (const t of tasks) await publishTask(env.nats, t);
    for (const t of tasks) {
      await eventually(async () => ofType(await recordedEventsOf(env.nats, t.request_id), "AgentCompleted")[0], 30_000);
    }

    expect(server.statusCounts()).toEqual({ 200: 16 });
    // Both replicas did part of the work.
    const keys = new Set(server.chatRequests().map((r) => r.headers.authorization));
    expect(keys).toEqual(new Set(["Bearer sk-replica-1", "Bearer sk-replica-2"]));
  });
});
