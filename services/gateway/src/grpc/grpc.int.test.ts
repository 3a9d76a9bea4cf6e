// gRPC Orchestration against isolated NATS and Postgres with a stand-in for the
// downstream services: status codes and messages (the same as REST), health, reflection,
// idempotency, deadlines, and outages of NATS and Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status, type ServiceError } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import type { CommandOf } from "@chorus/contracts";
import { connectNats, publishEvent } from "@chorus/platform";
import { NATS_URL, isolatedDatabase, isolatedNats, testLogger, type IsolatedDatabase, type IsolatedNats } from "@chorus/testing";
import { databaseLink } from "../database/link.ts";
import type { GatewayDeps } from "../deps.ts";
import { TEST_SECRET_KEY, TEST_SETTINGS, acceptedEvent, completedEvent, runDownstreamDouble, startTestGateway, unreachableDatabase } from "../test-support.ts";
import { askReflection, healthClient, listServicesByReflection, orchestrationClient, type OrchestrationClient } from "./client.test-support.ts";
import { startGrpcGateway, type GrpcGateway } from "./index.ts";

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";

let nats: IsolatedNats;
let db: IsolatedDatabase;
let double: Awaited<ReturnType<typeof runDownstreamDouble>>;
let rest: Awaited<ReturnType<typeof startTestGateway>>;
let grpcGateway: GrpcGateway;
let client: OrchestrationClient;
const stops: (() => Promise<unknown> | void)[] = [];

function deps(overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    logger: testLogger,
    topology: nats.topology,
    nc: nats.nc,
    js: nats.js,
    jsm: nats.jsm,
    database: databaseLink(db.pool),
    webhookSecretKey: TEST_SECRET_KEY,
    settings: TEST_SETTINGS,
    ...overrides,
  };
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as ServiceError,
  );
  if (!err) throw new Error("the call succeeded but should have failed");
  return err;
}

beforeAll(async () => {
  nats = await isolatedNats();
  db = await isolatedDatabase();
  // Requests whose events a test records by hand carry a correlation id starting "by-hand".
  double = await runDownstreamDouble(nats, { leaves: (accepted) => accepted.correlation_id.startsWith("by-hand") });
  rest = await startTestGateway({ nats, database: databaseLink(db.pool) });
  grpcGateway = await startGrpcGateway({ ...deps(), port: 0, host: "127.0.0.1" });
  client = orchestrationClient(`127.0.0.1:${grpcGateway.port}`);
});

afterAll(async () => {
  client?.close();
  for (const stop of stops.reverse()) await stop();
  await grpcGateway?.stop();
  await rest?.stop();
  await double?.stop();
  await nats?.cleanup();
  await db?.cleanup();
});

describe("gRPC Orchestration errors and operations", () => {
  it("answers a text that is too short with INVALID_ARGUMENT and the same message as REST's 422", async () => {
    const err = await failure(client.submit({ text: "short" }));
    const res = await rest.post({ text: "short" });
    const body = (await res.json()) as { message: string };
    expect(res.status).toBe(422);
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe(body.message);
  });

  it("answers an unknown agent and an unknown mode with INVALID_ARGUMENT", async () => {
    expect((await failure(client.submit({ text: TEXT, agents: ["poet"] }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failure(client.listRequests({ status: "lost" }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("answers an unknown request with NOT_FOUND and the same message as REST's 404, for Get and Watch", async () => {
    const id = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";
    const res = await fetch(`${rest.url}/api/v1/results/${id}`);
    const body = (await res.json()) as { message: string };
    expect(res.status).toBe(404);
    const get = await failure(client.getRequest({ request_id: id }));
    expect(get.code).toBe(status.NOT_FOUND);
    expect(get.details).toBe(body.message);
    const watch = await failure(client.watch(id));
    expect(watch.code).toBe(status.NOT_FOUND);
    expect(watch.details).toBe(body.message);
    expect((await failure(client.getRequest({ request_id: "not-a-uuid" }))).code).toBe(status.NOT_FOUND);
  });

  it("submits, waits for the end, and returns the same request to a retry with the same idempotency key", async () => {
    const first = await client.submit({ text: TEXT, idempotency_key: "grpc-key-1" });
    expect(first.done).toBe(true);
    expect(first.request.status).toBe("completed");
    expect(first.request.orchestration_mode).toBe("ORCHESTRATION_MODE_PARALLEL");
    const again = await client.submit({ text: TEXT, idempotency_key: "grpc-key-1" });
    expect(again.request.request_id).toBe(first.request.request_id);
    expect(double.received.filter((c) => c.request_id === first.request.request_id)).toHaveLength(1);
  });

  it("answers a reused idempotency key with another body with ALREADY_EXISTS and REST's message", async () => {
    await client.submit({ text: TEXT, idempotency_key: "grpc-key-2" });
    const err = await failure(client.submit({ text: `${TEXT} Another body.`, idempotency_key: "grpc-key-2" }));
    expect(err.code).toBe(status.ALREADY_EXISTS);
    expect(err.details).toBe("this Idempotency-Key was already used with a different request body");
  });

  it("answers respond_async at once with done false and the request as far as known", async () => {
    const res = await client.submit({ text: TEXT, orchestration_mode: "ORCHESTRATION_MODE_SEQUENTIAL", respond_async: true });
    expect(res.done).toBe(false);
    expect(res.request.status).toBe("pending");
    expect(res.request.orchestration_mode).toBe("ORCHESTRATION_MODE_SEQUENTIAL");
    expect(res.request.agents).toEqual(["summarizer", "sentiment", "entity_extractor"]);
  });

  it("answers a Submit before the call's deadline instead of failing with DEADLINE_EXCEEDED", async () => {
    const res = await client.submit({ text: TEXT }, { deadlineMs: 400 });
    expect(res.request.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a Watch opened while the request runs gets the events recorded so far, then each new one, and ends after the end event", async () => {
    const cmd: CommandOf<"SubmitRequest"> = {
      id: randomUUID(),
      type: "SubmitRequest",
      version: 1,
      request_id: randomUUID(),
      tenant_id: "default",
      occurred_at: new Date().toISOString(),
      correlation_id: "by-hand-watch",
      data: { text: TEXT, orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null },
    };
    const accepted = acceptedEvent(cmd);
    await publishEvent(nats.js, nats.topology, accepted, { msgID: accepted.id });
    let firstSeen: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    const watching = client.watch(cmd.request_id, () => firstSeen());
    // The end is recorded only once the watch has delivered the acceptance: it must arrive live.
    await first;
    const end = completedEvent(cmd, accepted.occurred_at);
    await publishEvent(nats.js, nats.topology, end, { msgID: end.id });
    const events = await watching;
    expect(events.map((e) => e.type)).toEqual(["RequestAccepted", "RequestCompleted"]);
    expect(events.map((e) => e.id)).toEqual([accepted.id, end.id]);
  });

  it("ends an open Watch with UNAVAILABLE when the gateway stops, so shutdown does not wait for the request's end", async () => {
    const cmd: CommandOf<"SubmitRequest"> = {
      id: randomUUID(),
      type: "SubmitRequest",
      version: 1,
      request_id: randomUUID(),
      tenant_id: "default",
      occurred_at: new Date().toISOString(),
      correlation_id: "by-hand-stop",
      data: { text: TEXT, orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null },
    };
    const accepted = acceptedEvent(cmd);
    await publishEvent(nats.js, nats.topology, accepted, { msgID: accepted.id });
    const stopping = await startGrpcGateway({ ...deps(), port: 0, host: "127.0.0.1" });
    const stoppingClient = orchestrationClient(`127.0.0.1:${stopping.port}`);
    stops.push(() => stoppingClient.close());
    let firstSeen: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    const watching = failure(stoppingClient.watch(cmd.request_id, () => firstSeen()));
    await first;
    await stopping.stop();
    const err = await watching;
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toBe("the gateway is stopping; watch again to resume");
  });

  it("answers SERVING to grpc.health.v1 for the server and for chorus.v1.Orchestration", async () => {
    const health = healthClient(`127.0.0.1:${grpcGateway.port}`);
    try {
      expect((await health.check({ service: "" })).status).toBe("SERVING");
      expect((await health.check({ service: "chorus.v1.Orchestration" })).status).toBe("SERVING");
    } finally {
      health.close();
    }
  });

  it("lists chorus.v1.Orchestration and grpc.health.v1.Health through server reflection", async () => {
    const services = await listServicesByReflection(`127.0.0.1:${grpcGateway.port}`);
    expect(services).toContain("chorus.v1.Orchestration");
    expect(services).toContain("grpc.health.v1.Health");
    // What `grpcurl describe` and `grpcurl -d … Submit` need: the file defining the service, with its imports.
    const described = await askReflection(`127.0.0.1:${grpcGateway.port}`, { file_containing_symbol: "chorus.v1.Orchestration" });
    expect(described.error_response).toBeUndefined();
    const files = (described.file_descriptor_response?.file_descriptor_proto ?? []).map((b) => Buffer.from(b).toString("latin1"));
    expect(files.some((f) => f.includes("chorus.v1") && f.includes("Orchestration") && f.includes("WatchRequest"))).toBe(true);
    expect(files.some((f) => f.includes("google.protobuf") && f.includes("Struct"))).toBe(true);
  });

  it("answers UNAVAILABLE with REST's message when NATS is unreachable", async () => {
    const nc = await connectNats({ url: NATS_URL, name: "grpc-down", logger: testLogger });
    const down = await startGrpcGateway({ ...deps({ nc }), port: 0, host: "127.0.0.1" });
    const downClient = orchestrationClient(`127.0.0.1:${down.port}`);
    stops.push(() => down.stop(), () => downClient.close());
    await nc.close();
    const submit = await failure(downClient.submit({ text: TEXT }));
    expect(submit.code).toBe(status.UNAVAILABLE);
    expect(submit.details).toBe("the message broker is unavailable; try again shortly");
    expect((await failure(downClient.watch("0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11"))).code).toBe(status.UNAVAILABLE);
  });

  it("answers UNAVAILABLE when Postgres is unreachable for a list", async () => {
    const database = unreachableDatabase();
    const down = await startGrpcGateway({ ...deps({ database }), port: 0, host: "127.0.0.1" });
    const downClient = orchestrationClient(`127.0.0.1:${down.port}`);
    stops.push(() => database.close(), () => down.stop(), () => downClient.close());
    const err = await failure(downClient.listRequests({}));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toBe("the database is unavailable; try again shortly");
  });
});
