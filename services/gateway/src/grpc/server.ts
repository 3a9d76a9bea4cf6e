// gRPC chorus.v1.Orchestration, served by the gateway next to REST: the same submit,
// reads, event follower and API keys (the `authorization` metadata) as the REST routes,
// plus grpc.health.v1, and server reflection when GRPC_REFLECTION allows it.
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { stopGrpcServer } from "@chorus/platform";
import { brokerState } from "../broker/state.ts";
import type { GatewayDeps } from "../deps.ts";
import { followRequest } from "../events/follow.ts";
import { ApiError, gone, notFound, unavailable } from "../errors.ts";
import { parseOr422 } from "../http/validation.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { submitDepsOf, submitRequest } from "../processing/submit.ts";
import { parseRequestId, readPage, readRequest } from "../results/read.ts";
import { ListResultsQuery } from "../results/schema.ts";
import {
  listQueryOf,
  processBodyOf,
  requestEventMessage,
  requestMessage,
  type ListRequestsMessage,
  type RequestEventMessage,
  type SubmitRequestMessage,
} from "./messages.ts";
import { ORCHESTRATION_SERVICE, loadOrchestrationProto } from "./proto.ts";
import { grpcFailure, submitWaitMs } from "./status.ts";

export type GrpcGateway = {
  port: number;
  /** Health turns NOT_SERVING, open watches end with UNAVAILABLE, in-flight calls finish (or are cut after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
};

function deadlineMsOf(call: { getDeadline(): grpc.Deadline }): number | undefined {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : Number(d);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The `authorization` metadata (`Bearer <key>`), as REST's Authorization header. */
function authorizationOf(metadata: grpc.Metadata): string | undefined {
  const given = metadata.get("authorization")[0];
  return typeof given === "string" && given.length > 0 ? given : undefined;
}

function correlationIdOf(metadata: grpc.Metadata): string {
  const given = metadata.get("x-correlation-id")[0] ?? metadata.get("x-request-id")[0];
  return typeof given === "string" && given.length > 0 && given.length <= 200 ? given : randomUUID();
}

/** Runs a unary handler, answering thrown API errors with their gRPC status. */
function unary<Req, Res>(log: GatewayDeps["logger"], name: string, handle: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call).then(
      (res) => callback(null, res),
      (err: unknown) => {
        const failure = grpcFailure(err);
        if (failure.code === grpc.status.INTERNAL) log.error({ err, rpc: name }, "gRPC call failed");
        callback({ code: failure.code, details: failure.details });
      },
    );
  };
}

export async function startGrpcGateway(deps: GatewayDeps & { port: number; host?: string }): Promise<GrpcGateway> {
  const { settings, logger, topology, access } = deps;
  const broker = brokerState(deps.nc);
  const stopping = new AbortController();
  const submitDeps = submitDepsOf(deps, broker);

  const resultsDeps = { database: deps.database, jsm: deps.jsm, topology, broker };
  const bodySchema = processRequestBody(settings.maxTextLength);

  const handlers = {
    Submit: unary<SubmitRequestMessage, unknown>(logger, "Submit", async (call) => {
      const { caller } = await access.admit(authorizationOf(call.metadata), "requests:write");
      const input = parseOr422(bodySchema, processBodyOf(call.request));
      const key = call.request.idempotency_key ? parseOr422(IdempotencyKeyHeader, call.request.idempotency_key, "Idempotency-Key") : undefined;
      const answerAtOnce = call.request.respond_async || input.webhook !== null;
      const cancelled = new AbortController();
      call.once("cancelled", () => cancelled.abort());
      const outcome = await submitRequest(submitDeps, {
        submitter: { tenantId: caller.tenantId, keyId: caller.keyId },
        input,
        idempotencyKey: key,
        correlationId: correlationIdOf(call.metadata),
        waitMs: answerAtOnce ? 0 : submitWaitMs({ boundMs: settings.processWaitTimeoutMs, deadlineMs: deadlineMsOf(call), nowMs: Date.now() }),
        signal: AbortSignal.any([cancelled.signal, stopping.signal]),
        log: logger.child({ rpc: "Submit" }),
        onRequestId: () => undefined,
      });
      return { request: requestMessage(outcome.view), done: outcome.kind === "ended" };
    }),

    GetRequest: unary<{ request_id: string }, unknown>(logger, "GetRequest", async (call) => {
      const { caller } = await access.admit(authorizationOf(call.metadata), "requests:read");
      const requestId = parseRequestId(call.request.request_id);
      const view = await readRequest({ ...resultsDeps, tenantId: caller.tenantId }, requestId, logger.child({ rpc: "GetRequest", request_id: requestId }));
      if (!view) throw notFound(`no request ${requestId}`, requestId);
      return requestMessage(view);
    }),

    ListRequests: unary<ListRequestsMessage, unknown>(logger, "ListRequests", async (call) => {
      const { caller } = await access.admit(authorizationOf(call.metadata), "requests:read");
      const query = parseOr422(ListResultsQuery, listQueryOf(call.request), "query");
      const page = await readPage({ ...resultsDeps, tenantId: caller.tenantId }, query);
      return { items: page.items.map(requestMessage), page: page.page, page_size: page.page_size, total: String(page.total) };
    }),

    WatchRequest: (call: grpc.ServerWritableStream<{ request_id: string }, RequestEventMessage>) => {
      const ended = new AbortController();
      call.once("cancelled", () => ended.abort());
      const fail = (err: unknown) => {
        const failure = grpcFailure(err);
        if (failure.code === grpc.status.INTERNAL) logger.error({ err, rpc: "WatchRequest" }, "gRPC call failed");
        // grpc-js ends a server stream with the status of an emitted error.
        call.emit("error", Object.assign(new Error(failure.details), { code: failure.code, details: failure.details }));
      };
      let release = () => undefined as void;
      void (async () => {
        const { caller } = await access.admit(authorizationOf(call.metadata), "requests:read");
        const requestId = parseRequestId(call.request.request_id);
        if (!broker.isUp()) throw unavailable("the message broker", undefined, requestId);
        release = access.openStream(caller);
        const signal = AbortSignal.any([ended.signal, stopping.signal]);
        let following;
        try {
          following = await followRequest({ js: deps.js, jsm: deps.jsm, topology, tenantId: caller.tenantId, logger }, requestId, { signal });
        } catch (err) {
          throw unavailable("the message broker", err, requestId);
        }
        if (following.kind === "not_found") throw notFound(`no request ${requestId}`, requestId);
        if (following.kind === "erased") throw gone(requestId, following.erasedAt);
        for await (const followed of following.events) call.write(requestEventMessage(followed));
        if (stopping.signal.aborted && !ended.signal.aborted) throw new ApiError("Unavailable", "the gateway is stopping; watch again to resume", { requestId });
        call.end();
      })()
        .catch(fail)
        .finally(() => release());
    },
  };

  const { packageDefinition, service } = loadOrchestrationProto();
  const server = new grpc.Server();
  server.addService(service, handlers as unknown as grpc.UntypedServiceImplementation);
  const health = new HealthImplementation({ "": "SERVING", [ORCHESTRATION_SERVICE]: "SERVING" });
  health.addToServer(server);
  // Reflection lists every method to whoever asks: on only where GRPC_REFLECTION says so.
  if (settings.grpcReflection) new ReflectionService(packageDefinition).addToServer(server);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${deps.host ?? "0.0.0.0"}:${deps.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: (graceMs = 10_000) =>
      (stopped ??= (() => {
        health.setStatus("", "NOT_SERVING");
        health.setStatus(ORCHESTRATION_SERVICE, "NOT_SERVING");
        stopping.abort();
        return stopGrpcServer(server, graceMs);
      })()),
  };
}
