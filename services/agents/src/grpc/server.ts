// gRPC for the agents service: chorus.v1.Agent/Analyze, answered by the same provider
// code as the task consumer under the call's deadline, for callers holding
// AGENT_GRPC_TOKEN only, and grpc.health.v1.Health, open to all (probes carry no token).
// No server reflection: nothing here needs it, and it would list the methods to anyone.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { HealthImplementation } from "grpc-health-check";
import { PROTO_LOADER_OPTIONS, fromStruct, parseAgentOutput, toStruct, type ProtoStruct, type TokenUsage } from "@chorus/contracts";
import { stopGrpcServer, type Logger } from "@chorus/platform";
import { callProviderUntil } from "../provider-call.ts";
import type { AgentProvider } from "../providers/provider.ts";
import { readAnalyzeRequest } from "./analyze-request.ts";
import { callCredentialCheck, type CallVerdict } from "./call-credential.ts";
import { failureStatus } from "./status.ts";

const AGENT_SERVICE = "chorus.v1.Agent";
// A call without a deadline still ends: nothing should hold a provider slot forever.
const DEFAULT_DEADLINE_MS = 120_000;

/**
 * The largest request message read, as REST's MAX_BODY_BYTES: room for a text at the cap
 * (up to 4 UTF-8 bytes per code point) and a context at its own (10 × the cap, as JSON, in a
 * Struct's wordier encoding), so a caller, even one without the token, cannot make the server
 * parse grpc-js's default of 4 MiB when the cap is small.
 */
export const maxRequestBytes = (maxTextLength: number) => 64 * 1024 + 64 * maxTextLength;

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

function authorizationOf(metadata: grpc.Metadata): string | undefined {
  const given = metadata.get("authorization")[0];
  return typeof given === "string" && given.length > 0 ? given : undefined;
}

type AnalyzeSettings = { provider: AgentProvider; logger: Logger; admit: (authorization: string | undefined) => CallVerdict; maxTextLength: number };

function analyzeHandler({ provider, logger, admit, maxTextLength }: AnalyzeSettings): grpc.handleUnaryCall<AnalyzeRequestMessage, AnalyzeResponseMessage> {
  return (call, callback) => {
    void (async () => {
      // Before anything else, so a caller without the token learns nothing about its request.
      const verdict = admit(authorizationOf(call.metadata));
      if (!verdict.admitted) {
        logger.warn({ reason: verdict.reason, peer: call.getPeer() }, "Agent.Analyze refused: no valid credential");
        return callback({ code: grpc.status.UNAUTHENTICATED, details: verdict.message });
      }
      const request = readAnalyzeRequest({ agent: call.request.agent, text: call.request.text, context: fromStruct(call.request.context) }, maxTextLength);
      if (!request.ok) return callback({ code: grpc.status.INVALID_ARGUMENT, details: request.message });
      const { agent, text, context } = request;
      const cancelled = new AbortController();
      call.on("cancelled", () => cancelled.abort(new Error("the client cancelled the call")));
      const { attempt, durationMs } = await callProviderUntil(provider, { agent, text, context }, { deadlineMs: deadlineOf(call), cancel: cancelled.signal });
      if (attempt.kind !== "answered") {
        const failure = failureStatus(attempt);
        logger.warn({ agent, grpc_code: failure.code, error: failure.message }, "Agent.Analyze failed");
        return callback({ code: failure.code, details: failure.message });
      }
      const parsed = parseAgentOutput(agent, attempt.result.output);
      if (!parsed.success) {
        return callback({ code: grpc.status.INTERNAL, details: `invalid_output: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` });
      }
      callback(null, {
        agent,
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

export type AgentGrpcOptions = {
  port: number;
  host?: string;
  provider: AgentProvider;
  logger: Logger;
  /** AGENT_GRPC_TOKEN; undefined closes Analyze to every caller. */
  token: string | undefined;
  /** MAX_TEXT_LENGTH, in code points. */
  maxTextLength: number;
};

export async function startGrpcServer(opts: AgentGrpcOptions): Promise<AgentGrpcServer> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": maxRequestBytes(opts.maxTextLength) });
  const admit = callCredentialCheck(opts.token);
  server.addService(loadAgentService(), { Analyze: analyzeHandler({ provider: opts.provider, logger: opts.logger, admit, maxTextLength: opts.maxTextLength }) });
  if (opts.token === undefined) opts.logger.warn("AGENT_GRPC_TOKEN is not set: Agent.Analyze refuses every call (UNAUTHENTICATED)");
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
