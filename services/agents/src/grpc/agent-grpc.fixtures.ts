// For tests: chorus.v1.Agent and grpc.health.v1 clients of an agents gRPC server, built from
// the proto files alone (as an outside client would build them), with promise wrappers.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_ROOT = fileURLToPath(new URL("../../../../proto/", import.meta.url));
const HEALTH_PROTO = fileURLToPath(new URL("../../../../node_modules/grpc-health-check/proto/health/v1/health.proto", import.meta.url));

/** A token of the required length, for tests. */
export const TEST_AGENT_GRPC_TOKEN = "test-agent-grpc-token-0123456789abcdef";

type Unary = (req: object, meta: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

function clientOf(port: number, protoFile: string, includeDirs: string[], path: string[]): Record<string, Unary> & grpc.Client {
  const def = protoLoader.loadSync(protoFile, { includeDirs, keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  let ns = grpc.loadPackageDefinition(def) as Record<string, unknown>;
  for (const p of path.slice(0, -1)) ns = ns[p] as Record<string, unknown>;
  const Ctor = ns[path.at(-1)!] as grpc.ServiceClientConstructor;
  return new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Record<string, Unary> & grpc.Client;
}

function unary(c: Record<string, Unary>, method: string, req: object, metadata: Record<string, string>, deadlineMs: number): Promise<Record<string, unknown>> {
  const meta = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) meta.set(k, v);
  return new Promise((resolve, reject) => c[method]!.call(c, req, meta, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res))));
}

export type AnalyzeCallOptions = {
  /** Sent as `authorization: Bearer <token>`; null sends no authorization at all. Default: TEST_AGENT_GRPC_TOKEN. */
  token?: string | null;
  /** The raw `authorization` value, instead of the bearer form of `token`. */
  authorization?: string;
  deadlineMs?: number;
};

export type AgentGrpcClients = {
  analyze(request: object, options?: AnalyzeCallOptions): Promise<Record<string, unknown>>;
  healthCheck(service: string): Promise<Record<string, unknown>>;
  close(): void;
};

export function agentGrpcClients(port: number): AgentGrpcClients {
  const agent = clientOf(port, "chorus/v1/agent.proto", [PROTO_ROOT], ["chorus", "v1", "Agent"]);
  const health = clientOf(port, HEALTH_PROTO, [], ["grpc", "health", "v1", "Health"]);
  return {
    analyze(request, { token = TEST_AGENT_GRPC_TOKEN, authorization, deadlineMs = 10_000 } = {}) {
      const value = authorization ?? (token === null ? undefined : `Bearer ${token}`);
      return unary(agent, "Analyze", request, value === undefined ? {} : { authorization: value }, deadlineMs);
    },
    healthCheck: (service) => unary(health, "Check", { service }, {}, 10_000),
    close() {
      agent.close();
      health.close();
    },
  };
}
