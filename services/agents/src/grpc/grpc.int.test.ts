// gRPC Agent.Analyze and grpc.health.v1 through a real server and client: the openai
// provider on a scripted server answers callers with the token, and only them; text over
// the cap, invalid arguments and deadlines are honoured; health needs no token.
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completionReply, startOpenAiServer, testLogger, type ScriptedOpenAiServer } from "@chorus/testing";
import { openAiProvider } from "../providers/openai/index.ts";
import type { AgentProvider } from "../providers/provider.ts";
import { TEST_AGENT_GRPC_TOKEN, agentGrpcClients, type AgentGrpcClients } from "./agent-grpc.fixtures.ts";
import { maxRequestBytes, startGrpcServer, type AgentGrpcServer } from "./server.ts";
import { fromStruct, toStruct } from "@chorus/contracts";

const MAX_TEXT_LENGTH = 60;

let openai: ScriptedOpenAiServer;
let provider: AgentProvider;
let servers: AgentGrpcServer[];
let clients: AgentGrpcClients[];

beforeEach(async () => {
  openai = await startOpenAiServer();
  provider = openAiProvider({
    apiKey: "sk-test",
    baseURL: openai.baseURL,
    model: "gpt-4o-mini",
    timeoutMs: 10_000,
    retry: { retries: 0, minDelayMs: 10, maxDelayMs: 10 },
    maxInputTokens: 10_000,
  });
  servers = [];
  clients = [];
});
afterEach(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.stop(100);
  await openai.close();
});

/** A server over the scripted provider (the test token, or none for null) and a client of it. */
async function serve(token: string | null = TEST_AGENT_GRPC_TOKEN): Promise<AgentGrpcClients> {
  const server = await startGrpcServer({ port: 0, host: "127.0.0.1", provider, logger: testLogger, token: token ?? undefined, maxTextLength: MAX_TEXT_LENGTH });
  servers.push(server);
  const c = agentGrpcClients(server.port);
  clients.push(c);
  return c;
}

const sentimentReply = () => completionReply({ label: "neutral", score: 0, confidence: 0.5 });

describe("Agent.Analyze's credential", () => {
  it("answers a call carrying the token as `authorization: Bearer <token>`", async () => {
    openai.enqueue(sentimentReply());
    const res = await (await serve()).analyze({ agent: "sentiment", text: "A fine day." });
    expect(res).toMatchObject({ agent: "sentiment", provider: "openai" });
  });

  it("refuses a call without the token, with a wrong one, or with another scheme, with UNAUTHENTICATED and without calling the provider", async () => {
    const c = await serve();
    const request = { agent: "sentiment", text: "A fine day." };
    await expect(c.analyze(request, { token: null })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining("authorization: Bearer") });
    await expect(c.analyze(request, { token: `${TEST_AGENT_GRPC_TOKEN}x` })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "the credential is not valid" });
    await expect(c.analyze(request, { token: TEST_AGENT_GRPC_TOKEN.slice(0, -1) })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(c.analyze(request, { authorization: `Basic ${TEST_AGENT_GRPC_TOKEN}` })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // Refused before the request is read: an invalid one says nothing to a caller without the token.
    await expect(c.analyze({ agent: "translator", text: "" }, { token: "wrong" })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(openai.chatRequests()).toHaveLength(0);
  });

  it("refuses every call when no token is configured, naming AGENT_GRPC_TOKEN, while health stays open", async () => {
    const c = await serve(null);
    await expect(c.analyze({ agent: "sentiment", text: "A fine day." })).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringContaining("set AGENT_GRPC_TOKEN"),
    });
    await expect(c.analyze({ agent: "sentiment", text: "A fine day." }, { token: null })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(await c.healthCheck("chorus.v1.Agent")).toEqual({ status: "SERVING" });
    expect(openai.chatRequests()).toHaveLength(0);
  });
});

describe("Agent.Analyze", () => {
  it("answers with the agent's validated output, provider, model and usage, passing the context on", async () => {
    openai.enqueue(completionReply({ label: "mixed", score: 0.1, confidence: 0.7 }, { usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 }, model: "gpt-4o-mini-x" }));
    const res = await (await serve()).analyze({
      agent: "sentiment",
      text: "The food was great but the service was awful.",
      context: toStruct({ summarizer: { summary: "A restaurant review.", key_points: [] } }),
    });

    expect(res).toMatchObject({ agent: "sentiment", provider: "openai", model: "gpt-4o-mini-x", usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 } });
    expect(fromStruct(res.output as never)).toEqual({ label: "mixed", score: 0.1, confidence: 0.7 });
    expect(openai.chatRequests()[0]?.body?.messages.at(-1)?.content).toContain("A restaurant review.");
  });

  it("refuses an unknown agent and empty text with INVALID_ARGUMENT, without calling the provider", async () => {
    const c = await serve();
    await expect(c.analyze({ agent: "translator", text: "Bonjour tout le monde." })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(c.analyze({ agent: "sentiment", text: "  " })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(openai.chatRequests()).toHaveLength(0);
  });

  it("refuses a text over MAX_TEXT_LENGTH code points, or one no store accepts, with INVALID_ARGUMENT, without calling the provider", async () => {
    const c = await serve();
    await expect(c.analyze({ agent: "sentiment", text: "x".repeat(MAX_TEXT_LENGTH + 1) })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: `text is too long: ${MAX_TEXT_LENGTH + 1} characters (Unicode code points), at most ${MAX_TEXT_LENGTH} (MAX_TEXT_LENGTH)`,
    });
    // A message far beyond what the cap needs is not even read.
    await expect(c.analyze({ agent: "sentiment", text: "x".repeat(maxRequestBytes(MAX_TEXT_LENGTH) + 1) })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    await expect(c.analyze({ agent: "sentiment", text: "a NUL \u0000 here" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining("U+0000") });
    await expect(c.analyze({ agent: "sentiment", text: "x", context: toStruct({ translator: { text: "hors sujet" } }) })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining("context"),
    });
    expect(openai.chatRequests()).toHaveLength(0);

    // The cap counts code points, as the gateway does: emoji take two UTF-16 units but count once.
    openai.enqueue(sentimentReply());
    await expect(c.analyze({ agent: "sentiment", text: "😀".repeat(MAX_TEXT_LENGTH) })).resolves.toMatchObject({ agent: "sentiment" });
  });

  it("ends with DEADLINE_EXCEEDED when the provider is slower than the call's deadline", async () => {
    openai.enqueue({ ...completionReply({ label: "neutral", score: 0, confidence: 0.5 }), delayMs: 5_000 });
    await expect((await serve()).analyze({ agent: "sentiment", text: "A slow answer is coming." }, { deadlineMs: 500 })).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });
  });
});

describe("grpc.health.v1", () => {
  it("reports the server and the Agent service SERVING, and an unknown service NOT_FOUND, to a caller without the token", async () => {
    const c = await serve();
    expect(await c.healthCheck("")).toEqual({ status: "SERVING" });
    expect(await c.healthCheck("chorus.v1.Agent")).toEqual({ status: "SERVING" });
    await expect(c.healthCheck("chorus.v1.Nope")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
