// What the smoke test accepts as a correct answer, how it reads its arguments, and which
// API key it sends.
import { describe, expect, it } from "vitest";
import { authProblem, chooseApiKey, keyHint, listedIds, parseArgs, problemWithError, problemWithResult } from "./smoke.ts";

const completed = (output: unknown) => ({
  status: "completed", provider: "local", model: "m", duration_ms: 3, usage: null, error: null, output,
});

function view(overrides: Record<string, unknown> = {}) {
  return {
    request_id: "0b9f6a9e-0a4f-4d43-9d8e-4c1a1b2c3d4e",
    status: "completed",
    orchestration_mode: "parallel",
    agents: ["summarizer", "sentiment", "entity_extractor"],
    created_at: "2026-11-24T10:00:00.000Z",
    completed_at: "2026-11-24T10:00:00.420Z",
    results: {
      summarizer: completed({ summary: "Siemens will build a plant.", key_points: ["plant"] }),
      sentiment: completed({ label: "positive", score: 0.4, confidence: 0.7 }),
      entity_extractor: completed({ entities: [{ text: "Siemens", type: "ORGANIZATION", start: 0, end: 7 }] }),
    },
    webhook: null,
    ...overrides,
  };
}

describe("parseArgs", () => {
  it("defaults to the local gateway and drops a trailing slash", () => {
    expect(parseArgs([])).toEqual({ baseUrl: "http://127.0.0.1:8000" });
    expect(parseArgs(["https://chorus.example/"])).toEqual({ baseUrl: "https://chorus.example" });
  });

  it("refuses what is not an http(s) URL", () => {
    expect(parseArgs(["nonsense"])).toHaveProperty("error");
    expect(parseArgs(["ftp://x"])).toHaveProperty("error");
    expect(parseArgs(["--help"])).toEqual({ help: true });
  });
});

describe("problemWithResult", () => {
  it("accepts a completed request with every agent's output in shape", () => {
    expect(problemWithResult(view(), "parallel")).toBeNull();
  });

  it("names what is wrong: status, mode, a missing agent, a bad label, an empty summary", () => {
    expect(problemWithResult(view({ status: "partial" }), "parallel")).toMatch(/status is partial/);
    expect(problemWithResult(view(), "sequential")).toMatch(/orchestration_mode/);
    const { results } = view();
    const { sentiment: _dropped, ...withoutSentiment } = results;
    expect(problemWithResult(view({ results: withoutSentiment }), "parallel")).toMatch(/no result for sentiment/);
    const badLabel = { ...results, sentiment: completed({ label: "happy", score: 0, confidence: 1 }) };
    expect(problemWithResult(view({ results: badLabel }), "parallel")).toMatch(/not a request view|sentiment/);
    const empty = { ...results, summarizer: completed({ summary: "  ", key_points: [] }) };
    expect(problemWithResult(view({ results: empty }), "parallel")).toMatch(/summary is empty/);
  });
});

describe("listedIds", () => {
  it("finds the requests in a bare array or under any key of an envelope", () => {
    expect(listedIds([{ request_id: "a" }])).toEqual(["a"]);
    expect(listedIds({ items: [{ request_id: "a" }, { request_id: "b" }], total: 2 })).toEqual(["a", "b"]);
    expect(listedIds({ total: 0 })).toBeNull();
  });
});

describe("problemWithError", () => {
  it("accepts { error, message } and names a missing field", () => {
    expect(problemWithError({ error: "ValidationError", message: "text: too short" })).toBeNull();
    expect(problemWithError({ detail: "x" })).toMatch(/error/);
    expect(problemWithError({ error: "ValidationError" })).toMatch(/message/);
  });
});

describe("chooseApiKey", () => {
  const KEY = `chorus_sk_${"k".repeat(43)}`;
  const SAVED = `chorus_sk_${"s".repeat(43)}`;
  const saved = { text: `${SAVED}\n`, path: ".data/keys/dev.key" };

  it("takes CHORUS_API_KEY first", () => {
    expect(chooseApiKey(` ${KEY} `, saved, "http://127.0.0.1:8000")).toEqual({ key: KEY, from: "CHORUS_API_KEY" });
  });

  it("falls back to the saved development key for a gateway on this machine only", () => {
    expect(chooseApiKey(undefined, saved, "http://127.0.0.1:8000")).toEqual({ key: SAVED, from: ".data/keys/dev.key" });
    expect(chooseApiKey("", saved, "http://localhost:8000")).toEqual({ key: SAVED, from: ".data/keys/dev.key" });
    expect(chooseApiKey(undefined, saved, "http://[::1]:8000")).toEqual({ key: SAVED, from: ".data/keys/dev.key" });
    expect(chooseApiKey(undefined, saved, "https://chorus.example")).toEqual({ key: null });
  });

  it("sends no key when there is none, or the file holds no key", () => {
    expect(chooseApiKey(undefined, { text: null, path: ".data/keys/dev.key" }, "http://127.0.0.1:8000")).toEqual({ key: null });
    expect(chooseApiKey(undefined, { text: "garbage", path: ".data/keys/dev.key" }, "http://127.0.0.1:8000")).toEqual({ key: null });
  });

  it("shows only the start of a key", () => {
    expect(keyHint(KEY)).toBe("chorus_sk_kkkkkk…");
  });
});

describe("authProblem", () => {
  const key = { key: `chorus_sk_${"k".repeat(43)}`, from: "CHORUS_API_KEY" };

  it("has nothing to say about a key the gateway took, or an answer that is not about the key", () => {
    expect(authProblem(200, key, ".data/keys/dev.key")).toBeNull();
    expect(authProblem(200, { key: null }, ".data/keys/dev.key")).toBeNull();
    expect(authProblem(503, key, ".data/keys/dev.key")).toBeNull();
  });

  it("tells how to get a key when the gateway wants one and none was sent", () => {
    const problem = authProblem(401, { key: null }, ".data/keys/dev.key");
    expect(problem).toMatch(/requires an API key and none was given/);
    expect(problem).toContain("export CHORUS_API_KEY=$(cat .data/keys/dev.key)");
    expect(problem).toContain("POST /api/v1/admin/keys");
  });

  it("names the refused key's source, and the scopes a key needs", () => {
    expect(authProblem(401, key, ".data/keys/dev.key")).toMatch(/refused the key from CHORUS_API_KEY/);
    expect(authProblem(403, key, ".data/keys/dev.key")).toMatch(/lacks a scope: .*requests:write and requests:read/);
  });
});
