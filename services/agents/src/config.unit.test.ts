import { describe, expect, it } from "vitest";
import { agentConcurrency, AgentsConfig, DEFAULT_CPU_AGENT_CONCURRENCY, DEFAULT_OPENAI_RPM_LIMIT, DEFAULT_OPENAI_TPM_LIMIT, openAiRateLimits } from "./config.ts";
import { DEFAULT_STARTED_AFTER_MS } from "./slow-start.ts";

const parse = (env: Record<string, string>) => AgentsConfig.parse(env);

describe("the openai provider's shared rate limit", () => {
  it("is OpenAI's tier-1 budget when the agents call OpenAI itself and nothing is set", () => {
    expect(openAiRateLimits(parse({}))).toEqual({ requestsPerMinute: DEFAULT_OPENAI_RPM_LIMIT, tokensPerMinute: DEFAULT_OPENAI_TPM_LIMIT });
    expect(openAiRateLimits(parse({ OPENAI_BASE_URL: "https://api.openai.com/v1" }))).toEqual({
      requestsPerMinute: DEFAULT_OPENAI_RPM_LIMIT,
      tokensPerMinute: DEFAULT_OPENAI_TPM_LIMIT,
    });
  });

  it("is none for another server unless set: its own 429s pace the calls", () => {
    expect(openAiRateLimits(parse({ OPENAI_BASE_URL: "http://vllm.internal:8000/v1" }))).toEqual({ requestsPerMinute: null, tokensPerMinute: null });
    expect(openAiRateLimits(parse({ OPENAI_BASE_URL: "http://vllm.internal:8000/v1", OPENAI_RPM_LIMIT: "60" }))).toEqual({ requestsPerMinute: 60, tokensPerMinute: null });
  });

  it("takes what is set, and 0 as no limit", () => {
    expect(openAiRateLimits(parse({ OPENAI_RPM_LIMIT: "5000", OPENAI_TPM_LIMIT: "0" }))).toEqual({ requestsPerMinute: 5_000, tokensPerMinute: null });
  });
});

describe("task slots per agent", () => {
  it("follow the calls a process may have in flight for a model behind HTTP", () => {
    expect(agentConcurrency(parse({}), "openai")).toBe(parse({}).OPENAI_MAX_CONCURRENCY);
    expect(agentConcurrency(parse({ OPENAI_MAX_CONCURRENCY: "32" }), "openai")).toBe(32);
  });

  it("are about a replica's cores for the providers that spend CPU here", () => {
    expect(agentConcurrency(parse({}), "local")).toBe(DEFAULT_CPU_AGENT_CONCURRENCY);
    expect(agentConcurrency(parse({}), "bench")).toBe(DEFAULT_CPU_AGENT_CONCURRENCY);
  });

  it("are AGENT_CONCURRENCY whenever it is set", () => {
    expect(agentConcurrency(parse({ AGENT_CONCURRENCY: "7" }), "openai")).toBe(7);
    expect(agentConcurrency(parse({ AGENT_CONCURRENCY: "7" }), "local")).toBe(7);
  });
});

describe("when a run's start is recorded (AGENT_STARTED_AFTER_MS)", () => {
  it("is after 250 ms unless set, and 0 records every start", () => {
    expect(DEFAULT_STARTED_AFTER_MS).toBe(250);
    expect(parse({}).AGENT_STARTED_AFTER_MS).toBe(250);
    expect(parse({ AGENT_STARTED_AFTER_MS: "0" }).AGENT_STARTED_AFTER_MS).toBe(0);
    expect(parse({ AGENT_STARTED_AFTER_MS: "1500" }).AGENT_STARTED_AFTER_MS).toBe(1_500);
  });

  it("refuses a negative, fractional or non-numeric value, and one over a minute (well inside the duplicate window)", () => {
    for (const value of ["-1", "2.5", "soon", "60001"]) {
      expect(AgentsConfig.safeParse({ AGENT_STARTED_AFTER_MS: value }).success, value).toBe(false);
    }
    expect(parse({ AGENT_STARTED_AFTER_MS: "60000" }).AGENT_STARTED_AFTER_MS).toBe(60_000);
  });
});
