// Unit tests of the openai provider's pure parts: reading SDK errors, long-text chunks
// and merges, and the prompts.
import { describe, expect, it } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { classifyOpenAiError, retryAfterMs } from "./errors.ts";
import { aggregateSentiment, chunkText, mergeEntities, placeEntities } from "./long-text.ts";
import { contextBlock, messagesFor } from "./prompts.ts";

const apiError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(status, { message: `status ${status}` }, undefined, new Headers(headers));

describe("reading OpenAI errors", () => {
  it("retries 429 with its Retry-After, 5xx, connection errors and timeouts", () => {
    expect(classifyOpenAiError(apiError(429, { "retry-after": "7" }), 0)).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 7_000 });
    expect(classifyOpenAiError(apiError(503), 0)).toMatchObject({ code: "unavailable", retryable: true });
    expect(classifyOpenAiError(new APIConnectionError({ message: "ECONNREFUSED" }), 0)).toMatchObject({ code: "unavailable", retryable: true });
    expect(classifyOpenAiError(new APIConnectionTimeoutError(), 0)).toMatchObject({ code: "timeout", retryable: true });
  });

  it("does not retry other 4xx", () => {
    expect(classifyOpenAiError(apiError(400), 0)).toMatchObject({ code: "bad_request", retryable: false });
    expect(classifyOpenAiError(apiError(401), 0)).toMatchObject({ code: "auth", retryable: false });
    expect(classifyOpenAiError(apiError(404), 0)).toMatchObject({ code: "bad_request", retryable: false });
  });

  it("reads Retry-After as milliseconds, seconds or an HTTP date", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250" }), 0)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), 0)).toBe(2_000);
    const now = Date.parse("2026-11-24T10:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Tue, 24 Nov 2026 10:00:05 GMT" }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), 0)).toBeNull();
    expect(retryAfterMs(new Headers(), 0)).toBeNull();
  });
});

describe("long texts", () => {
  const text = "One two three. Four five six. Seven eight nine.";
  const sentences = [
    { start: 0, end: 14 },
    { start: 15, end: 29 },
    { start: 30, end: 47 },
  ];

  it("keeps a text that fits as one chunk", () => {
    expect(chunkText(text, sentences, 1_000)).toEqual([{ start: 0, end: text.length, text }]);
  });

  it("groups whole sentences into chunks no longer than the budget", () => {
    expect(chunkText(text, sentences, 30).map((c) => c.text)).toEqual(["One two three. Four five six.", "Seven eight nine."]);
  });

  it("cuts a sentence longer than the budget at whitespace", () => {
    const long = "aaaa bbbb cccc dddd";
    const chunks = chunkText(long, [{ start: 0, end: long.length }], 10);
    expect(chunks.map((c) => c.text)).toEqual(["aaaa bbbb", "cccc dddd"]);
    for (const c of chunks) expect(long.slice(c.start, c.end)).toBe(c.text);
  });

  it("places named entities at offsets into the whole text, ignoring case if it must, dropping absent ones", () => {
    const chunk = { start: 15, end: 29, text: "Four five six." };
    expect(placeEntities([{ text: "five", type: "PERSON" }, { text: "SIX", type: "DATE" }, { text: "ten", type: "DATE" }], chunk)).toEqual([
      { text: "five", type: "PERSON", start: 20, end: 24 },
      { text: "six", type: "DATE", start: 25, end: 28 },
    ]);
  });

  it("merges entities across chunks: each distinct one once, first mention first, no overlaps", () => {
    const merged = mergeEntities([
      [
        { text: "Acme", type: "ORGANIZATION", start: 50, end: 54 },
        { text: "Oslo", type: "LOCATION", start: 10, end: 14 },
      ],
      [
        { text: "ACME", type: "ORGANIZATION", start: 90, end: 94 },
        { text: "Oslo Fjord", type: "LOCATION", start: 10, end: 20 },
      ],
    ]);
    expect(merged.entities.map((e) => e.text)).toEqual(["Oslo Fjord", "Acme"]);
  });

  it("aggregates sentiment by length, keeping mixed when chunks disagree clearly", () => {
    const pos = { label: "positive" as const, score: 0.8, confidence: 0.9 };
    const neg = { label: "negative" as const, score: -0.6, confidence: 0.7 };
    expect(aggregateSentiment([{ sentiment: pos, weight: 1 }, { sentiment: neg, weight: 1 }])).toEqual({ label: "mixed", score: 0.1, confidence: 0.8 });
    expect(aggregateSentiment([{ sentiment: pos, weight: 3 }, { sentiment: { label: "neutral", score: 0, confidence: 1 }, weight: 1 }]).label).toBe("positive");
    expect(aggregateSentiment([{ sentiment: { label: "mixed", score: 0, confidence: 0.6 }, weight: 1 }, { sentiment: pos, weight: 9 }]).label).toBe("mixed");
    expect(aggregateSentiment([])).toEqual({ label: "neutral", score: 0, confidence: 0 });
  });
});

describe("prompts", () => {
  it("carries no context block in parallel mode, and the earlier outputs in agent order in sequential mode", () => {
    expect(contextBlock({})).toBeNull();
    const block = contextBlock({ sentiment: { label: "neutral", score: 0, confidence: 1 }, summarizer: { summary: "S", key_points: [] } })!;
    expect(block.indexOf("summarizer:")).toBeLessThan(block.indexOf("sentiment:"));
    const [system, user] = messagesFor({ kind: "analyze", agent: "entity_extractor" }, "Text here.", {});
    expect(system?.content).toMatch(/PERSON.*ORGANIZATION.*LOCATION.*DATE.*MONEY/s);
    expect(user?.content).toBe("Text:\nText here.");
  });
});
