// What Agent.Analyze accepts: the agent, the text cap in code points, storable text, the context's shape and size.
import { describe, expect, it } from "vitest";
import { readAnalyzeRequest } from "./analyze-request.ts";

const MAX = 20;
const read = (input: { agent?: string; text?: string; context?: unknown }) =>
  readAnalyzeRequest({ agent: "sentiment", text: "Fine.", context: {}, ...input }, MAX);

describe("reading an Analyze request", () => {
  it("passes a valid request on, with its context", () => {
    const context = { summarizer: { summary: "Short.", key_points: ["one"] } };
    expect(read({ context })).toEqual({ ok: true, agent: "sentiment", text: "Fine.", context });
  });

  it("refuses an unknown agent and an empty or blank text", () => {
    expect(read({ agent: "translator" })).toEqual({ ok: false, message: "agent must be one of summarizer, sentiment, entity_extractor" });
    expect(read({ text: "" })).toEqual({ ok: false, message: "text must not be empty" });
    expect(read({ text: " \n\t" })).toEqual({ ok: false, message: "text must not be empty" });
  });

  it("caps the text at the limit in code points, not UTF-16 units", () => {
    expect(read({ text: "x".repeat(MAX) }).ok).toBe(true);
    expect(read({ text: "😀".repeat(MAX) }).ok).toBe(true);
    expect(read({ text: "x".repeat(MAX + 1) })).toEqual({ ok: false, message: `text is too long: ${MAX + 1} characters (Unicode code points), at most ${MAX} (MAX_TEXT_LENGTH)` });
    expect(read({ text: "😀".repeat(MAX + 1) })).toMatchObject({ ok: false, message: expect.stringContaining(`${MAX + 1} characters`) });
  });

  it("refuses text no store accepts, as the gateway does", () => {
    expect(read({ text: "a \u0000 b" })).toEqual({ ok: false, message: "text must not contain the NUL character (U+0000), found at position 2" });
    expect(read({ text: "lone \ud800" })).toMatchObject({ ok: false, message: expect.stringContaining("unpaired UTF-16 surrogate was found at code point 5") });
  });

  it("refuses a context that is not earlier agents' outputs, or longer than ten times the text cap", () => {
    expect(read({ context: { translator: { summary: "x", key_points: [] } } })).toMatchObject({ ok: false, message: expect.stringContaining("translator") });
    expect(read({ context: { sentiment: { label: "ecstatic", score: 0, confidence: 1 } } }).ok).toBe(false);
    const long = { summarizer: { summary: "s".repeat(10 * MAX), key_points: [] } };
    expect(read({ context: long })).toMatchObject({ ok: false, message: expect.stringContaining(`at most ${10 * MAX} (10 × MAX_TEXT_LENGTH)`) });
  });
});
