// The openai provider against a real OpenAI-compatible HTTP server started by each test
// and scripted per test, driven through the official SDK: answers, validation retries,
// 429/5xx/timeout retries, usage, sequential context, long texts and the health check.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EntitiesOutput, SentimentOutput, SummaryOutput } from "@chorus/contracts";
import { completionReply, errorReply, schemaNameOf, startOpenAiServer, type ScriptedOpenAiServer } from "@chorus/testing";
import { ProviderError, type AnalyzeRequest } from "../provider.ts";
import { openAiProvider, type OpenAiSettings, type RetryNotice } from "./index.ts";

let server: ScriptedOpenAiServer;
beforeEach(async () => {
  server = await startOpenAiServer();
});
afterEach(async () => {
  await server.close();
});

const TEXT = "Tim Cook visited Berlin on 3 March 2024. The visit was a wonderful success for everyone involved.";
const SENTIMENT = { label: "positive", score: 0.8, confidence: 0.9 };
const USAGE = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };

function provider(overrides: Partial<OpenAiSettings> = {}, notices: RetryNotice[] = []) {
  return openAiProvider(
    {
      apiKey: "sk-test",
      baseURL: server.baseURL,
      model: "gpt-4o-mini",
      timeoutMs: 5_000,
      retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
      maxInputTokens: 10_000,
      ...overrides,
    },
    { onRetry: (n) => notices.push(n) },
  );
}

function request(agent: AnalyzeRequest["agent"], overrides: Partial<AnalyzeRequest> = {}): AnalyzeRequest {
  return { agent, text: TEXT, context: {}, signal: new AbortController().signal, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

describe("the openai provider on a scripted server", () => {
  it("asks for structured output made from the agent's schema and returns the validated answer with its usage", async () => {
    server.enqueue(completionReply(SENTIMENT, { usage: USAGE, model: "gpt-4o-mini-2024-07-18" }));
    const result = await provider().analyze(request("sentiment"));

    expect(result).toEqual({ output: SENTIMENT, usage: USAGE, model: "gpt-4o-mini-2024-07-18" });
    const [sent] = server.chatRequests();
    expect(sent?.headers.authorization).toBe("Bearer sk-test");
    expect(sent?.body?.model).toBe("gpt-4o-mini");
    expect(sent?.body?.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "sentiment", strict: true } });
    expect(JSON.stringify(sent?.body?.response_format?.json_schema?.schema)).toContain('"mixed"');
    expect(sent?.body?.messages.at(-1)?.content).toContain(TEXT);
  });

  it("asks once more with the validation error, and takes a valid second answer, counting both calls' tokens", async () => {
    server.enqueue(completionReply({ label: "ecstatic", score: 3, confidence: 0.9 }, { usage: USAGE }), completionReply(SENTIMENT, { usage: USAGE }));
    const result = await provider().analyze(request("sentiment"));

    expect(result.output).toEqual(SENTIMENT);
    expect(result.usage).toEqual({ prompt_tokens: 240, completion_tokens: 60, total_tokens: 300 });
    const second = server.chatRequests()[1]!.body!.messages;
    expect(second.at(-2)).toMatchObject({ role: "assistant", content: JSON.stringify({ label: "ecstatic", score: 3, confidence: 0.9 }) });
    expect(second.at(-1)?.content).toMatch(/not valid: .*label/);
  });

  it("fails with invalid_output and the validation error when the second answer does not validate either", async () => {
    server.enqueue(completionReply("not json at all", { usage: USAGE }), completionReply({ label: "ecstatic" }, { usage: USAGE }));
    const err = await failure(provider().analyze(request("sentiment")));

    expect(err).toMatchObject({ code: "invalid_output", retryable: false });
    expect(err.message).toMatch(/sentiment schema after a second request: .*label/);
    expect(err.usage).toEqual({ prompt_tokens: 240, completion_tokens: 60, total_tokens: 300 });
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("waits out a 429's Retry-After, then succeeds", async () => {
    const notices: RetryNotice[] = [];
    server.enqueue(errorReply(429, "Rate limit reached", { "retry-after": "1" }), completionReply(SENTIMENT));
    const result = await provider({}, notices).analyze(request("sentiment"));

    expect(result.output).toEqual(SENTIMENT);
    expect(server.chatRequests().map((r) => r.status)).toEqual([429, 200]);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.error.code).toBe("rate_limited");
    // The backoff alone is at most 50 ms here: the wait came from Retry-After.
    expect(notices[0]?.delayMs).toBeGreaterThanOrEqual(1_000);
  });

  it("retries 500s with backoff and, when retries run out, fails retryable so the task is redelivered", async () => {
    server.respondWith(() => errorReply(500, "The server had an error"));
    const err = await failure(provider().analyze(request("sentiment")));

    expect(err).toMatchObject({ code: "unavailable", retryable: true });
    expect(err.message).toContain("500");
    expect(server.chatRequests()).toHaveLength(3);
  });

  it("does not retry a 400", async () => {
    server.respondWith(() => errorReply(400, "Invalid schema for response_format"));
    const err = await failure(provider().analyze(request("sentiment")));

    expect(err).toMatchObject({ code: "bad_request", retryable: false });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("gives up on a request that outlasts the timeout and retries it", async () => {
    server.enqueue({ ...completionReply(SENTIMENT), delayMs: 3_000 }, completionReply(SENTIMENT));
    const notices: RetryNotice[] = [];
    const result = await provider({ timeoutMs: 300 }, notices).analyze(request("sentiment"));

    expect(result.output).toEqual(SENTIMENT);
    expect(notices.map((n) => n.error.code)).toEqual(["timeout"]);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("uses the per-agent model where one is configured", async () => {
    server.enqueue(completionReply({ summary: "s", key_points: [] }));
    await provider({ models: { summarizer: "gpt-4o" } }).analyze(request("summarizer"));
    expect(server.chatRequests()[0]?.body?.model).toBe("gpt-4o");
  });

  it("puts the earlier agents' outputs in a later agent's prompt in sequential mode", async () => {
    server.enqueue(completionReply(SENTIMENT));
    const summary = { summary: "Tim Cook's visit to Berlin went well.", key_points: ["a visit"] };
    await provider().analyze(request("sentiment", { context: { summarizer: summary } }));

    const prompt = server.chatRequests()[0]!.body!.messages.at(-1)!.content;
    expect(prompt).toContain("summarizer: " + JSON.stringify(summary));
    expect(prompt).toContain(TEXT);
  });

  it("finds the offsets of the entities the model names, dropping one the text does not contain", async () => {
    server.enqueue(
      completionReply({ entities: [{ text: "Tim Cook", type: "PERSON" }, { text: "Berlin", type: "LOCATION" }, { text: "Paris", type: "LOCATION" }] }),
    );
    const { output } = await provider().analyze(request("entity_extractor"));
    expect(EntitiesOutput.parse(output).entities).toEqual([
      { text: "Tim Cook", type: "PERSON", start: 0, end: 8 },
      { text: "Berlin", type: "LOCATION", start: 17, end: 23 },
    ]);
  });

  it("refuses a model's refusal without asking again", async () => {
    server.enqueue(completionReply(null, { refusal: "I can't help with that." }));
    const err = await failure(provider().analyze(request("sentiment")));
    expect(err).toMatchObject({ code: "refused", retryable: false });
    expect(server.chatRequests()).toHaveLength(1);
  });
});

describe("a text longer than the model's input budget", () => {
  const sentence = (i: number) => `Sentence number ${i} mentions Acme Corp and a fine result in Oslo.`;
  const LONG = Array.from({ length: 12 }, (_, i) => sentence(i + 1)).join(" ");

  it("is summarised map-reduce: a call per chunk cut on sentence boundaries, then one combining the partial summaries", async () => {
    server.respondWith((r) => {
      const prompt = r.body!.messages.at(-1)!.content;
      if (prompt.startsWith("Part 1:")) return completionReply({ summary: "Combined.", key_points: ["all of it"] }, { usage: USAGE });
      return completionReply({ summary: `partial ${server.chatRequests().length}`, key_points: [] }, { usage: USAGE });
    });
    // 50 tokens ≈ 200 characters: about three sentences a chunk.
    const result = await provider({ maxInputTokens: 50 }).analyze(request("summarizer", { text: LONG }));

    const calls = server.chatRequests();
    expect(calls.length).toBeGreaterThan(2);
    const chunks = calls.slice(0, -1).map((c) => c.body!.messages.at(-1)!.content.replace(/^Text:\n/, ""));
    // Every chunk is whole sentences, and together they are the text.
    for (const c of chunks) expect(c).toMatch(/^Sentence number \d+ .*Oslo\.$/);
    expect(chunks.join(" ")).toBe(LONG);
    expect(calls.at(-1)!.body!.messages.at(-1)!.content).toContain("partial 1");
    expect(SummaryOutput.parse(result.output)).toEqual({ summary: "Combined.", key_points: ["all of it"] });
    expect(result.usage?.total_tokens).toBe(USAGE.total_tokens * calls.length);
  });

  it("has its entities merged across chunks, each once, at offsets into the whole text", async () => {
    server.respondWith(() => completionReply({ entities: [{ text: "Acme Corp", type: "ORGANIZATION" }, { text: "Oslo", type: "LOCATION" }] }));
    const { output } = await provider({ maxInputTokens: 50 }).analyze(request("entity_extractor", { text: LONG }));

    const { entities } = EntitiesOutput.parse(output);
    expect(server.chatRequests().length).toBeGreaterThan(1);
    expect(entities.map((e) => e.text)).toEqual(["Acme Corp", "Oslo"]);
    for (const e of entities) expect(LONG.slice(e.start, e.end)).toBe(e.text);
  });

  it("keeps a mixed text mixed when one chunk is positive and another negative", async () => {
    let n = 0;
    server.respondWith(() => {
      n += 1;
      return completionReply(n === 1 ? { label: "positive", score: 0.8, confidence: 0.9 } : { label: "negative", score: -0.7, confidence: 0.9 });
    });
    const { output } = await provider({ maxInputTokens: 50 }).analyze(request("sentiment", { text: LONG }));
    expect(SentimentOutput.parse(output).label).toBe("mixed");
  });
});

describe("the openai provider's health check", () => {
  it("lists the models once and reuses the answer instead of calling per probe", async () => {
    const p = provider({ checkCacheMs: 60_000 });
    await p.check();
    await p.check();
    await Promise.all([p.check(), p.check()]);
    expect(server.requests.filter((r) => r.path === "/v1/models")).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it("reports the server unreachable", async () => {
    const p = provider({ baseURL: "http://127.0.0.1:9/v1", timeoutMs: 1_000 });
    await expect(p.check()).rejects.toThrow(/cannot reach|timed out/);
  });

  it("routes chat requests by the schema name, which is the agent", async () => {
    server.respondWith((r) => completionReply(schemaNameOf(r) === "sentiment" ? SENTIMENT : { summary: "s", key_points: [] }));
    const p = provider();
    expect((await p.analyze(request("sentiment"))).output).toEqual(SENTIMENT);
    expect((await p.analyze(request("summarizer"))).output).toEqual({ summary: "s", key_points: [] });
  });
});
