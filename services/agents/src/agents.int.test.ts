// Integration tests of the agents on the real NATS: tasks in on the tasks stream,
// AgentStarted (for a run that goes on a while)/AgentCompleted/AgentFailed out on the
// events stream. Test providers are small objects implementing our own AgentProvider
// interface. Tests about deliveries record every start (startedAfterMs 0) to see each one.
import { describe, expect, it } from "vitest";
import { EntitiesOutput, parseAgentOutput, SentimentOutput, SummaryOutput, type AgentId } from "@chorus/contracts";
import { connectNats, jetStreamClients } from "@chorus/platform";
import { eventually, isolatedPerTest, NATS_URL, recordedEventsOf, testLogger } from "@chorus/testing";
import { localProvider } from "./providers/local/provider.ts";
import { LOCAL_MODELS } from "./providers/local/index.ts";
import { ProviderError, type AgentProvider, type AnalyzeRequest, type AnalyzeResult } from "./providers/provider.ts";
import { parseAgentSelection } from "./agent-selection.ts";
import { startAgents, type Agents, type AgentsDeps } from "./start-agents.ts";
import { agentTask, ARTICLE, ofType, publishTask, startTestAgents, tasksLeft } from "./agent-tasks.fixtures.ts";

const env = isolatedPerTest({ nats: true });

async function start(overrides: Partial<AgentsDeps> = {}): Promise<Agents> {
  const agents = await startTestAgents(env.nats, { provider: localProvider(), agents: ["summarizer", "sentiment", "entity_extractor"], ...overrides });
  env.defer(() => agents.stop());
  return agents;
}

type Step = (request: AnalyzeRequest) => Promise<AnalyzeResult>;

/** A provider that answers its calls with `steps` in turn (the last one repeats), recording each call. */
function scriptedProvider(...steps: Step[]): AgentProvider & { calls: AnalyzeRequest[] } {
  const calls: AnalyzeRequest[] = [];
  return {
    name: "scripted",
    calls,
    modelFor: () => "scripted-1",
    check: async () => undefined,
    analyze: (request) => {
      calls.push(request);
      return steps[Math.min(calls.length, steps.length) - 1]!(request);
    },
  };
}

const sentimentAnswer = (): AnalyzeResult => ({ output: { label: "positive", score: 0.5, confidence: 0.8 }, usage: null, model: "scripted-1" });
const SENTIMENT_OK: Step = async () => sentimentAnswer();

/** Waits until the request has an outcome event, then returns all its events. */
async function untilOutcome(requestId: string) {
  return eventually(async () => {
    const events = await recordedEventsOf(env.nats, requestId);
    return events.some((e) => e.type === "AgentCompleted" || e.type === "AgentFailed") ? events : undefined;
  });
}

describe("the agents on the local provider", () => {
  it("each agent publishes AgentStarted (every start recorded) then AgentCompleted with an output valid for its schema", async () => {
    await start({ startedAfterMs: 0 });
    const requestId = crypto.randomUUID();
    const agents: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];
    const tasks = agents.map((agent) => agentTask(agent, {}, requestId));
    for (const task of tasks) await publishTask(env.nats, task);

    const events = await eventually(async () => {
      const es = await recordedEventsOf(env.nats, requestId);
      return ofType(es, "AgentCompleted").length === 3 ? es : undefined;
    });
    for (const agent of agents) {
      const mine = events.filter((e) => "agent" in e.data && e.data.agent === agent);
      expect(mine.map((e) => e.type)).toEqual(["AgentStarted", "AgentCompleted"]);
      const [startedEvent, completed] = [ofType(mine, "AgentStarted")[0]!, ofType(mine, "AgentCompleted")[0]!];
      expect(startedEvent.data).toEqual({ agent, provider: "local", model: LOCAL_MODELS[agent], delivery: 1 });
      // The outcome's start is the recorded start's instant: readers get the same answer from either.
      expect(completed.data).toMatchObject({ agent, provider: "local", model: LOCAL_MODELS[agent], usage: null, started_at: startedEvent.occurred_at });
      expect(parseAgentOutput(agent, completed.data.output).success).toBe(true);
      // The envelope is the task's request, tenant and correlation, with an id of its own.
      const task = tasks.find((t) => t.data.agent === agent)!;
      expect(completed).toMatchObject({ request_id: requestId, tenant_id: "acme", correlation_id: task.correlation_id });
      expect(completed.id).not.toBe(task.id);
    }

    const output = (agent: AgentId) => ofType(events, "AgentCompleted").find((e) => e.data.agent === agent)!.data.output;
    const summary = SummaryOutput.parse(output("summarizer"));
    const sentiment = SentimentOutput.parse(output("sentiment"));
    const { entities } = EntitiesOutput.parse(output("entity_extractor"));
    expect(summary.summary.length).toBeGreaterThan(0);
    expect(ARTICLE).toContain(summary.summary);
    expect(sentiment.label).toBe("positive");
    const person = entities.find((e) => e.type === "PERSON");
    expect(person?.text).toBe("Tim Cook");
    expect(ARTICLE.slice(person!.start, person!.end)).toBe("Tim Cook");
    expect(entities.some((e) => e.type === "LOCATION" && e.text === "Berlin")).toBe(true);

    // Every task was acked: the work queue is empty.
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
  });

  it("acks a task whose deadline has passed without running it or publishing anything", async () => {
    const provider = scriptedProvider(SENTIMENT_OK);
    await start({ provider, agents: ["sentiment"] });
    const task = agentTask("sentiment", { deadline_at: new Date(Date.now() - 1_000).toISOString() });
    await publishTask(env.nats, task);

    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
    expect(provider.calls).toHaveLength(0);
    expect(await recordedEventsOf(env.nats, task.request_id)).toEqual([]);
  });

  it("runs only the summarizer consumer for AGENT=summarizer", async () => {
    const selection = parseAgentSelection("summarizer");
    if (!selection.ok) throw new Error(selection.message);
    await start({ agents: selection.agents, startedAfterMs: 0 });

    const durables: string[] = [];
    for await (const info of env.nats.jsm.consumers.list(env.nats.topology.streams.tasks)) durables.push(info.name);
    expect(durables).toEqual(["agent-summarizer"]);

    const sentimentTask = agentTask("sentiment");
    const summaryTask = agentTask("summarizer");
    await publishTask(env.nats, sentimentTask);
    await publishTask(env.nats, summaryTask);
    const events = await untilOutcome(summaryTask.request_id);
    expect(events.map((e) => e.type)).toEqual(["AgentStarted", "AgentCompleted"]);

    // The sentiment task is still waiting for a consumer that this process does not run.
    expect(await tasksLeft(env.nats)).toBe(1);
    const waiting = await env.nats.jsm.streams.getMessage(env.nats.topology.streams.tasks, { last_by_subj: env.nats.topology.subjects.task("sentiment") });
    expect(waiting?.json<{ id: string }>().id).toBe(sentimentTask.id);
    expect(await recordedEventsOf(env.nats, sentimentTask.request_id)).toEqual([]);
  });
});

describe("the agents with a failing provider", () => {
  it("records AgentFailed with the provider's code for a non-retryable error, without retrying", async () => {
    const provider = scriptedProvider(async () => {
      throw new ProviderError("the text was refused by the content filter", { code: "content_filtered", retryable: false });
    });
    await start({ provider, agents: ["sentiment"] });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const events = await untilOutcome(task.request_id);
    // A run that failed at once records no start of its own: its outcome carries it.
    expect(events.map((e) => e.type)).toEqual(["AgentFailed"]);
    const failed = ofType(events, "AgentFailed")[0]!;
    expect(Date.parse(failed.data.started_at!)).toBeLessThanOrEqual(Date.parse(failed.occurred_at));
    expect(failed.data).toMatchObject({
      agent: "sentiment",
      provider: "scripted",
      model: "scripted-1",
      error: { code: "content_filtered", message: "the text was refused by the content filter" },
    });
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
    expect(provider.calls).toHaveLength(1);
  });

  it("redelivers after a retryable error twice and completes on the third delivery", async () => {
    const rateLimited: Step = async () => {
      throw new ProviderError("429 Too Many Requests", { code: "rate_limited", retryable: true });
    };
    const provider = scriptedProvider(rateLimited, rateLimited, SENTIMENT_OK);
    await start({ provider, agents: ["sentiment"], startedAfterMs: 0 });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const events = await untilOutcome(task.request_id);
    expect(ofType(events, "AgentStarted").map((e) => e.data.delivery)).toEqual([1, 2, 3]);
    expect(ofType(events, "AgentCompleted")).toHaveLength(1);
    expect(ofType(events, "AgentFailed")).toHaveLength(0);
    expect(events.at(-1)?.type).toBe("AgentCompleted");
    expect(provider.calls).toHaveLength(3);
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
  });

  it("records AgentFailed with the reason when a retryable error lasts until the last delivery", async () => {
    const provider = scriptedProvider(async () => {
      throw new ProviderError("503 Service Unavailable", { code: "unavailable", retryable: true });
    });
    await start({ provider, agents: ["sentiment"], maxDeliver: 2, startedAfterMs: 0 });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const events = await untilOutcome(task.request_id);
    expect(ofType(events, "AgentStarted").map((e) => e.data.delivery)).toEqual([1, 2]);
    expect(ofType(events, "AgentFailed")[0]?.data.error).toEqual({
      code: "unavailable",
      message: "503 Service Unavailable (gave up after 2 deliveries)",
    });
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
  });

  it("records AgentFailed invalid_output when the provider's output does not match the schema", async () => {
    const provider = scriptedProvider(async () => ({ output: { label: "ecstatic" }, usage: null, model: "scripted-1" }));
    await start({ provider, agents: ["sentiment"] });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const failed = ofType(await untilOutcome(task.request_id), "AgentFailed")[0];
    expect(failed?.data.error.code).toBe("invalid_output");
    expect(failed?.data.error.message).toMatch(/label/);
  });

  it("records AgentFailed timeout and aborts the provider when the deadline passes first", async () => {
    let signal: AbortSignal | undefined;
    // Ignores its signal and never answers: the deadline alone must end the call.
    const provider = scriptedProvider((request) => {
      signal = request.signal;
      return new Promise<never>(() => undefined);
    });
    await start({ provider, agents: ["sentiment"] });
    const task = agentTask("sentiment", { deadline_at: new Date(Date.now() + 1_500).toISOString() });
    await publishTask(env.nats, task);

    const events = await untilOutcome(task.request_id);
    // Still running long after the default 250 ms: its start is recorded, before its outcome.
    expect(events.map((e) => e.type)).toEqual(["AgentStarted", "AgentFailed"]);
    expect(ofType(events, "AgentFailed")[0]?.data.error.code).toBe("timeout");
    expect(ofType(events, "AgentFailed")[0]?.data.started_at).toBe(ofType(events, "AgentStarted")[0]?.occurred_at);
    expect(signal?.aborted).toBe(true);
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
  });
});

describe("a slow provider", () => {
  it("keeps its task from being redelivered while the call runs longer than ack_wait", async () => {
    const provider = scriptedProvider(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return sentimentAnswer();
    });
    await start({ provider, agents: ["sentiment"], concurrency: 2, ackWaitMs: 1_000 });
    const task = agentTask("sentiment");
    await publishTask(env.nats, task);

    const events = await untilOutcome(task.request_id);
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
    expect(ofType(events, "AgentStarted").map((e) => e.data.delivery)).toEqual([1]);
    expect(ofType(events, "AgentCompleted")).toHaveLength(1);
    expect(provider.calls).toHaveLength(1);
  });
});

describe("a crash mid-call", () => {
  it("is redelivered after ack_wait to another consumer, which completes it exactly once", async () => {
    // The first process has its own connection, so it can die without a word to the server.
    const nc1 = await connectNats({ url: NATS_URL, name: "agents-crashing", logger: testLogger });
    // For a test that fails before the crash below closes it (closing twice is harmless).
    env.defer(() => nc1.close());
    const { js: js1, jsm: jsm1 } = await jetStreamClients(nc1);
    let release: (() => void) | undefined;
    const hanging = scriptedProvider(
      () => new Promise<never>((_, reject) => (release = () => reject(new Error("released by the test")))),
    );
    const first = await startAgents({
      js: js1,
      jsm: jsm1,
      topology: env.nats.topology,
      logger: testLogger,
      provider: hanging,
      agents: ["sentiment"],
      concurrency: 1,
      ackWaitMs: 1_000,
      maxDeliver: 5,
      startedAfterMs: 0,
    });
    // Its connection is gone by the end: stopping it may fail, and need not succeed.
    env.defer(async () => {
      release?.();
      await first.stop().catch(() => undefined);
    });

    const task = agentTask("sentiment");
    await publishTask(env.nats, task);
    await eventually(() => (hanging.calls.length === 1 ? true : undefined));
    // The crash: the connection goes away with the task unacked.
    await nc1.close();

    await start({ provider: localProvider(), agents: ["sentiment"], concurrency: 1, ackWaitMs: 1_000, startedAfterMs: 0 });
    const events = await eventually(async () => {
      const es = await recordedEventsOf(env.nats, task.request_id);
      return ofType(es, "AgentCompleted").length > 0 ? es : undefined;
    });
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));

    const after = await recordedEventsOf(env.nats, task.request_id);
    expect(ofType(after, "AgentStarted").map((e) => e.data.delivery)).toEqual([1, 2]);
    expect(ofType(after, "AgentCompleted")).toHaveLength(1);
    expect(ofType(after, "AgentFailed")).toHaveLength(0);
    expect(ofType(events, "AgentCompleted")[0]?.data.provider).toBe("local");
    expect(hanging.calls).toHaveLength(1);
  });
});

describe("when a run's start is recorded", () => {
  const answerAfter = (ms: number): Step => async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return sentimentAnswer();
  };

  async function runOne(provider: AgentProvider, overrides: Partial<AgentsDeps> = {}) {
    await start({ provider, agents: ["sentiment"], ...overrides });
    const task = agentTask("sentiment");
    const published = Date.now();
    await publishTask(env.nats, task);
    const events = await untilOutcome(task.request_id);
    await eventually(async () => ((await tasksLeft(env.nats)) === 0 ? true : undefined));
    return { events, published };
  }

  it("records no AgentStarted for a run that ends within the default threshold: its outcome says when it began", async () => {
    const { events, published } = await runOne(scriptedProvider(SENTIMENT_OK));
    expect(events.map((e) => e.type)).toEqual(["AgentCompleted"]);
    const completed = ofType(events, "AgentCompleted")[0]!;
    const startedAt = Date.parse(completed.data.started_at!);
    // Same clock (one process): after the task was published, no later than the outcome.
    expect(startedAt).toBeGreaterThanOrEqual(published);
    expect(startedAt).toBeLessThanOrEqual(Date.parse(completed.occurred_at));
  });

  it("records no AgentStarted for a run that ends before a threshold set higher", async () => {
    const { events } = await runOne(scriptedProvider(answerAfter(100)), { startedAfterMs: 1_000 });
    expect(events.map((e) => e.type)).toEqual(["AgentCompleted"]);
    expect(ofType(events, "AgentCompleted")[0]?.data.started_at).toEqual(expect.any(String));
  });

  it("records AgentStarted, before the outcome in stream order, for a run slower than the threshold", async () => {
    const { events } = await runOne(scriptedProvider(answerAfter(600)), { startedAfterMs: 250 });
    expect(events.map((e) => e.type)).toEqual(["AgentStarted", "AgentCompleted"]);
    const [started, completed] = [ofType(events, "AgentStarted")[0]!, ofType(events, "AgentCompleted")[0]!];
    expect(started.data).toEqual({ agent: "sentiment", provider: "scripted", model: "scripted-1", delivery: 1 });
    // The start is when the run began, not when it was recorded 250 ms later: the outcome says the same.
    expect(completed.data.started_at).toBe(started.occurred_at);
    expect(Date.parse(completed.occurred_at) - Date.parse(started.occurred_at)).toBeGreaterThanOrEqual(550);
  });

  it("records AgentStarted for every run, however quick, with threshold 0", async () => {
    const { events } = await runOne(scriptedProvider(SENTIMENT_OK), { startedAfterMs: 0 });
    expect(events.map((e) => e.type)).toEqual(["AgentStarted", "AgentCompleted"]);
    expect(ofType(events, "AgentCompleted")[0]?.data.started_at).toBe(ofType(events, "AgentStarted")[0]?.occurred_at);
  });
});
