// gRPC Agent.Analyze and grpc.health.v1 through a real server and client: the openai
// provider on a scripted server answers, invalid arguments and deadlines are honoured.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completionReply, startOpenAiServer, testLogger, type ScriptedOpenAiServer } from "@chorus/testing";
import { openAiProvider } from "../providers/openai/index.ts";
import { startGrpcServer, type AgentGrpcServer } from "./server.ts";
import { fromStruct, toStruct } from "@chorus/contracts";

const PROTO_ROOT = fileURLToPath(new URL("../../../../proto/", import.meta.url));
const HEALTH_PROTO = fileURLToPath(new URL("../../../../node_modules/grpc-health-check/proto/health/v1/health.proto", import.meta.url));

let openai: ScriptedOpenAiServer;
let server: AgentGrpcServer;
let clients: grpc.Client[];

beforeEach(async () => {
  openai = await startOpenAiServer();
  const provider = openAiProvider({
    apiKey: "sk-test",
    baseURL: openai.baseURL,
    model: "gpt-4o-mini",
    timeoutMs: 10_000,
    retry: { retries: 0, minDelayMs: 10, maxDelayMs: 10 },
    maxInputTokens: 10_000,
  });
  server = await startGrpcServer({ port: 0, host: "127.0.0.1", provider, logger: testLogger });
  clients = [];
});
afterEach(async () => {
  for (const c of clients) c.close();
  await server.stop(100);
  await openai.close();
});

type Unary = (req: object, meta: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

function client(protoFile: string, includeDirs: string[], path: string[]): Record<string, Unary> & grpc.Client {
  const def = protoLoader.loadSync(protoFile, { includeDirs, keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  let ns: Record<string, unknown> = grpc.loadPackageDefinition(def) as Record<string, unknown>;
  for (const p of path.slice(0, -1)) ns = ns[p] as Record<string, unknown>;
  const Ctor = ns[path.at(-1)!] as grpc.ServiceClientConstructor;
  const c = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as unknown as Record<string, Unary> & grpc.Client;
  clients.push(c);
  return c;
}

function call(c: Record<string, Unary>, method: string, req: object, deadlineMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    c[method]!.call(c, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

const agentClient = () => client("chorus/v1/agent.proto", [PROTO_ROOT], ["chorus", "v1", "Agent"]);

describe("Agent.Analyze", () => {
  it("answers with the agent's validated output, provider, model and usage, passing the context on", async () => {
    openai.enqueue(completionReply({ label: "mixed", score: 0.1, confidence: 0.7 }, { usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 }, model: "gpt-4o-mini-x" }));
    const res = await call(agentClient(), "Analyze", {
      agent: "sentiment",
      text: "The food was great but the service was awful.",
      context: toStruct({ summarizer: { summary: "A restaurant review.", key_points: [] } }),
    });

    expect(res).toMatchObject({ agent: "sentiment", provider: "openai", model: "gpt-4o-mini-x", usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 } });
    expect(fromStruct(res.output as never)).toEqual({ label: "mixed", score: 0.1, confidence: 0.7 });
    expect(openai.chatRequests()[0]?.body?.messages.at(-1)?.content).toContain("A restaurant review.");
  });

  it("refuses an unknown agent and empty text with INVALID_ARGUMENT, without calling the provider", async () => {
    const c = agentClient();
    await expect(call(c, "Analyze", { agent: "translator", text: "Bonjour tout le monde." })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(call(c, "Analyze", { agent: "sentiment", text: "  " })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(openai.chatRequests()).toHaveLength(0);
  });

  it("ends with DEADLINE_EXCEEDED when the provider is slower than the call's deadline", async () => {
    openai.enqueue({ ...completionReply({ label: "neutral", score: 0, confidence: 0.5 }), delayMs: 5_000 });
    await expect(call(agentClient(), "Analyze", { agent: "sentiment", text: "A slow answer is coming." }, 500)).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });
  });
});

describe("grpc.health.v1", () => {
  it("reports the server and the Agent service SERVING, and an unknown service NOT_FOUND", async () => {
    const health = client(HEALTH_PROTO, [], ["grpc", "health", "v1", "Health"]);
    expect(await call(health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    expect(await call(health, "Check", { service: "chorus.v1.Agent" })).toEqual({ status: "SERVING" });
    await expect(call(health, "Check", { service: "chorus.v1.Nope" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
