// gRPC Orchestration against isolated NATS and Postgres with a stand-in for the
// downstream services: status codes and messages (the same as REST), health, reflection,
// idempotency, deadlines, and outages of NATS and Postgres.
import { beforeAll, describe, expect, it } from "vitest";
import { status, type ServiceError } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import type { CommandOf } from "@chorus/contracts";
import { connectNats, publishEvent } from "@chorus/platform";
import { NATS_URL, isolatedPerFile, testLogger } from "@chorus/testing";
import { databaseLink } from "../database/link.ts";
import type { GatewayDeps } from "../deps.ts";
import { TEST_SETTINGS, TEST_WEBHOOK_KEYS, acceptedEvent, completedEvent, runDownstreamDouble, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { askReflection, fromStruct, healthClient, listServicesByReflection, orchestrationClient, type OrchestrationClient } from "./grpc-clients.fixtures.ts";
import { startGrpcGateway, type GrpcGateway } from "./index.ts";

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";

const env = isolatedPerFile({ nats: true, database: true });
let double: Awaited<ReturnType<typeof runDownstreamDouble>>;
let rest: Awaited<ReturnType<typeof startTestGateway>>;
let grpcGateway: GrpcGateway;
let client: OrchestrationClient;

function deps(overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    logger: testLogger,
    topology: env.nats.topology,
    nc: env.nats.nc,
    js: env.nats.js,
    jsm: env.nats.jsm,
    database: databaseLink(env.db.pool),
    webhookKeys: TEST_WEBHOOK_KEYS,
    access: rest.access,
    // Reflection is off unless configured; these tests use it.
    settings: { ...TEST_SETTINGS, grpcReflection: true },
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

/** A request whose events the test records by hand (the double leaves it alone), with its acceptance recorded. */
async function acceptedByHand(name: string, data: Partial<CommandOf<"SubmitRequest">["data"]> = {}) {
  const cmd: CommandOf<"SubmitRequest"> = {
    id: randomUUID(),
    type: "SubmitRequest",
    version: 1,
    request_id: randomUUID(),
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: `by-hand-${name}`,
    data: { text: TEXT, orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null, ...data },
  };
  const accepted = acceptedEvent(cmd);
  await publishEvent(env.nats.js, env.nats.topology, accepted, { msgID: accepted.id });
  return { cmd, accepted };
}

beforeAll(async () => {
  double = await runDownstreamDouble(env.nats, { leaves: (accepted) => accepted.correlation_id.startsWith("by-hand") });
  env.defer(() => double.stop());
  rest = await startTestGateway({ nats: env.nats, database: databaseLink(env.db.pool) });
  env.defer(() => rest.stop());
  grpcGateway = await startGrpcGateway({ ...deps(), port: 0, host: "127.0.0.1" });
  env.defer(() => grpcGateway.stop());
  client = orchestrationClient(`127.0.0.1:${grpcGateway.port}`);
  env.defer(() => client.close());
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
    expect((await failure(client.listRequests({ orchestration_mode: "diagonal" }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failure(client.listRequests({ agent: "poet" }))).code).toBe(status.INVALID_ARGUMENT);
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
    const { cmd, accepted } = await acceptedByHand("watch");
    let firstSeen: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    const watching = client.watch(cmd.request_id, () => firstSeen());
    // The end is recorded only once the watch has delivered the acceptance: it must arrive live.
    await first;
    const end = completedEvent(accepted);
    await publishEvent(env.nats.js, env.nats.topology, end, { msgID: end.id });
    const events = await watching;
    expect(events.map((e) => e.type)).toEqual(["RequestAccepted", "RequestCompleted"]);
    expect(events.map((e) => e.id)).toEqual([accepted.id, end.id]);
  });

  it("a Watch sends each event's public view: the webhook as its URL without userinfo, no fingerprint, no idempotency key", async () => {
    const sealed = "v1.c2VhbGVk.dGFn.Y2lwaGVydGV4dA";
    const { cmd, accepted } = await acceptedByHand("public-view", {
      webhook: { url: "https://hook-user:hook-pass@receiver.example/hook", secret: sealed },
      idempotency_key: "grpc-public-view",
      fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    });
    const end = completedEvent(accepted);
    await publishEvent(env.nats.js, env.nats.topology, end, { msgID: end.id });
    const events = await client.watch(cmd.request_id);
    expect(events.map((e) => e.type)).toEqual(["RequestAccepted", "RequestCompleted"]);
    for (const e of events) {
      const data = fromStruct(e.data);
      expect(data.webhook).toEqual({ url: "https://receiver.example/hook" });
      const json = JSON.stringify({ ...e, data });
      for (const hidden of ['"secret"', sealed, "hook-pass", "hook-user", '"fingerprint"', accepted.data.fingerprint!, '"idempotency_key"', "grpc-public-view"]) expect(json).not.toContain(hidden);
    }
    expect(fromStruct(events[0]!.data)).toEqual({ text: TEXT, orchestration_mode: "parallel", agents: ["sentiment"], webhook: { url: "https://receiver.example/hook" }, agent_timeout_ms: accepted.data.agent_timeout_ms, dispatch: accepted.data.dispatch });
  });

  it("ends an open Watch with UNAVAILABLE when the gateway stops, so shutdown does not wait for the request's end", async () => {
    const { cmd } = await acceptedByHand("stop");
    const stopping = await startGrpcGateway({ ...deps(), port: 0, host: "127.0.0.1" });
    env.defer(() => stopping.stop());
    const stoppingClient = orchestrationClient(`127.0.0.1:${stopping.port}`);
    env.defer(() => stoppingClient.close());
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
    env.defer(() => down.stop());
    env.defer(() => downClient.close());
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
    env.defer(() => database.close());
    env.defer(() => down.stop());
    env.defer(() => downClient.close());
    const err = await failure(downClient.listRequests({}));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toBe("the database is unavailable; try again shortly");
  });
});
