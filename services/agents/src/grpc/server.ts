// gRPC for the agents service: chorus.v1.Agent/Analyze, answered by the same provider
// code as the task consumer under the call's deadline, and grpc.health.v1.Health.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { HealthImplementation } from "grpc-health-check";
import { AGENT_IDS, AgentId, PROTO_LOADER_OPTIONS, fromStruct, parseAgentOutput, toStruct, type ProtoStruct, type TokenUsage } from "@chorus/contracts";
import { stopGrpcServer, type Logger } from "@chorus/platform";
import { callProviderUntil } from "../provider-call.ts";
import type { AgentContext, AgentProvider } from "../providers/provider.ts";
import { failureStatus } from "./status.ts";

const AGENT_SERVICE = "chorus.v1.Agent";
// A call without a deadline still ends: nothing should hold a provider slot forever.
const DEFAULT_DEADLINE_MS = 120_000;

type AnalyzeRequestMessage = { agent: string; text: string; context: ProtoStruct | null };
type AnalyzeResponseMessage = {
  agent: string;
  provider: string;
  model: string;
  output: ProtoStruct;
  usage: TokenUsage | null;
  duration_ms: number;
};

function loadAgentService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync("chorus/v1/agent.proto", PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { chorus: { v1: { Agent: grpc.ServiceClientConstructor } } };
  return loaded.chorus.v1.Agent.service;
}

function deadlineOf(call: grpc.ServerUnaryCall<unknown, unknown>): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : Number(d);
  return Number.isFinite(ms) ? Math.min(ms, Date.now() + DEFAULT_DEADLINE_MS) : Date.now() + DEFAULT_DEADLINE_MS;
}

/** The Analyze handler, exported for tests that call it through a real server. */
function analyzeHandler(provider: AgentProvider, logger: Logger): grpc.handleUnaryCall<AnalyzeRequestMessage, AnalyzeResponseMessage> {
  return (call, callback) => {
    void (async () => {
      const agent = AgentId.safeParse(call.request.agent);
      if (!agent.success) {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `agent must be one of ${AGENT_IDS.join(", ")}` });
      }
      if (!call.request.text || call.request.text.trim() === "") {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: "text must not be empty" });
      }
      const cancelled = new AbortController();
      call.on("cancelled", () => cancelled.abort(new Error("the client cancelled the call")));
      const context = fromStruct(call.request.context) as AgentContext;
      const { attempt, durationMs } = await callProviderUntil(
        provider,
        { agent: agent.data, text: call.request.text, context },
        { deadlineMs: deadlineOf(call), cancel: cancelled.signal },
      );
      if (attempt.kind !== "answered") {
        const failure = failureStatus(attempt);
        logger.warn({ agent: agent.data, grpc_code: failure.code, error: failure.message }, "Agent.Analyze failed");
        return callback({ code: failure.code, details: failure.message });
      }
      const parsed = parseAgentOutput(agent.data, attempt.result.output);
      if (!parsed.success) {
        return callback({ code: grpc.status.INTERNAL, details: `invalid_output: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` });
      }
      callback(null, {
        agent: agent.data,
        provider: provider.name,
        model: attempt.result.model,
        output: toStruct(parsed.data as Record<string, unknown>),
        usage: attempt.result.usage,
        duration_ms: Math.round(durationMs),
      });
    })().catch((err: unknown) => callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }));
  };
}

export type AgentGrpcServer = {
  port: number;
  /** Health turns NOT_SERVING, then in-flight calls finish (or are cut after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
};

export async function startGrpcServer(opts: { port: number; host?: string; provider: AgentProvider; logger: Logger }): Promise<AgentGrpcServer> {
  const server = new grpc.Server();
  server.addService(loadAgentService(), { Analyze: analyzeHandler(opts.provider, opts.logger) });
  const health = new HealthImplementation({ "": "SERVING", [AGENT_SERVICE]: "SERVING" });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host ?? "0.0.0.0"}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    async stop(graceMs = 10_000) {
      health.setStatus("", "NOT_SERVING");
      health.setStatus(AGENT_SERVICE, "NOT_SERVING");
      await stopGrpcServer(server, graceMs);
    },
  };
}
