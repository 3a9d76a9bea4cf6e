// For tests: a chorus.v1.Orchestration client built from the proto files alone (as any
// outside client would build it, nothing from the server's code), with promise wrappers,
// plus health and reflection clients from the protos their packages ship.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_DIR = fileURLToPath(new URL("../../../../proto/", import.meta.url));
const require = createRequire(import.meta.url);
const OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

type Value = { kind?: string; nullValue?: unknown; numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: Struct; listValue?: { values?: Value[] } };
export type Struct = { fields?: Record<string, Value> };
export type Timestamp = { seconds: string; nanos: number };

export type AgentResultMessage = { status: string; provider: string; model: string; duration_ms?: number; usage: unknown; error: { code: string; message: string } | null; output: Struct | null };
export type RequestMessage = {
  request_id: string;
  status: string;
  orchestration_mode: string;
  agents: string[];
  created_at: Timestamp;
  completed_at: Timestamp | null;
  results: Record<string, AgentResultMessage>;
  webhook: unknown;
};
export type RequestEventMessage = {
  id: string;
  type: string;
  version: number;
  request_id: string;
  tenant_id: string;
  occurred_at: Timestamp;
  correlation_id: string;
  data: Struct;
  stream_sequence: string;
};

/** Struct → plain JSON, as a client would decode it. */
export function fromStruct(struct: Struct | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}

function fromValue(v: Value): unknown {
  switch (v.kind) {
    case "numberValue":
      return v.numberValue;
    case "stringValue":
      return v.stringValue;
    case "boolValue":
      return v.boolValue;
    case "structValue":
      return fromStruct(v.structValue);
    case "listValue":
      return (v.listValue?.values ?? []).map(fromValue);
    default:
      return null;
  }
}

export function isoOf(t: Timestamp): string {
  return new Date(Number(t.seconds) * 1000 + Math.round(t.nanos / 1_000_000)).toISOString();
}

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res: unknown) => void) => void;

function promised<Res>(client: grpc.Client, method: string, base: Record<string, string> = {}) {
  const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return (request: unknown, options: { deadlineMs?: number; metadata?: Record<string, string> } = {}) =>
    new Promise<Res>((resolve, reject) => {
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries({ ...base, ...options.metadata })) metadata.set(k, v);
      const callOptions: grpc.CallOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
      fn(request, metadata, callOptions, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
}

export type OrchestrationClient = ReturnType<typeof orchestrationClient>;

/** A client of chorus.v1.Orchestration; with `apiKey`, every call carries it as `authorization` metadata. */
export function orchestrationClient(address: string, options: { apiKey?: string } = {}) {
  const base: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const definition = protoLoader.loadSync("chorus/v1/orchestration.proto", { ...OPTIONS, includeDirs: [PROTO_DIR] });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { chorus: { v1: { Orchestration: grpc.ServiceClientConstructor } } };
  const client = new pkg.chorus.v1.Orchestration(address, grpc.credentials.createInsecure());
  return {
    submit: promised<{ request: RequestMessage; done: boolean }>(client, "Submit", base),
    getRequest: promised<RequestMessage>(client, "GetRequest", base),
    listRequests: promised<{ items: RequestMessage[]; page: number; page_size: number; total: string }>(client, "ListRequests", base),
    /** Every message of the stream until it ends; rejects with the stream's error status. */
    watch(requestId: string, onEvent?: (e: RequestEventMessage) => void): Promise<RequestEventMessage[]> {
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(base)) metadata.set(k, v);
      const call = (client as unknown as { WatchRequest(r: unknown, m: grpc.Metadata): grpc.ClientReadableStream<RequestEventMessage> }).WatchRequest({ request_id: requestId }, metadata);
      return new Promise((resolve, reject) => {
        const events: RequestEventMessage[] = [];
        call.on("data", (e: RequestEventMessage) => {
          events.push(e);
          onEvent?.(e);
        });
        call.on("error", reject);
        call.on("end", () => resolve(events));
      });
    },
    close: () => client.close(),
  };
}

export function healthClient(address: string) {
  const protoPath = require.resolve("grpc-health-check/proto/health/v1/health.proto");
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, OPTIONS)) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
  return { check: promised<{ status: string }>(client, "Check"), close: () => client.close() };
}

type ReflectionResponse = {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
};

/** One server reflection (v1) exchange, as grpcurl makes them: `list_services` or `file_containing_symbol`. */
export function askReflection(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const protoPath = require.resolve("@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto");
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, OPTIONS)) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ReflectionResponse> }).ServerReflectionInfo();
  return new Promise((resolve, reject) => {
    call.on("data", (res) => {
      resolve(res);
      call.end();
      client.close();
    });
    call.on("error", reject);
    call.write(request);
  });
}

/** The services the server lists through reflection, as `grpcurl list` asks. */
export async function listServicesByReflection(address: string): Promise<string[]> {
  return ((await askReflection(address, { list_services: "*" })).list_services_response?.service ?? []).map((s) => s.name);
}
