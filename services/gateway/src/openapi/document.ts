// The OpenAPI 3.1 document of the REST API, generated from the same zod schemas that
// validate requests and shape responses, so it cannot drift from them. Pure: settings
// in, document out; served at /openapi.json.
import { z } from "zod";
import { ChorusEvent, RequestView } from "@chorus/contracts";
import { HealthReport } from "../health/schema.ts";
import { ErrorBody } from "../http/errors.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { ListResultsQuery, ResultsPage } from "../results/schema.ts";
import {
  ACCEPTED_EVENT_EXAMPLE,
  COMPLETED_VIEW_EXAMPLE,
  ERROR_EXAMPLES,
  HEALTH_EXAMPLE,
  PENDING_VIEW_EXAMPLE,
  PROCESS_REQUEST_EXAMPLE,
  REQUEST_ID,
  RESULTS_PAGE_EXAMPLE,
  UNHEALTHY_EXAMPLE,
  WEBHOOK_RETRY_PENDING_EXAMPLE,
} from "./examples.ts";

type Json = Record<string, unknown>;

/** Output schemas shown as components, by name: what the API answers with. */
export const RESPONSE_COMPONENTS = { RequestView, ResultsPage, Error: ErrorBody, HealthReport, Event: ChorusEvent } as const;

const ERROR_RESPONSES = {
  MalformedJSON: [400, "The body is not valid JSON"],
  Unauthorized: [401, "The signature is missing or does not match the body"],
  NotFound: [404, "No such request (or route)"],
  Conflict: [409, "The request is not in a state that allows this"],
  PayloadTooLarge: [413, "The body is larger than the configured limit"],
  UnsupportedMediaType: [415, "The body is not JSON"],
  ValidationError: [422, "A field, query parameter or header is invalid; `details` names each"],
  Unavailable: [503, "NATS or Postgres is unreachable; retry after `Retry-After` seconds"],
} as const satisfies Record<string, readonly [number, string]>;

type ErrorName = keyof typeof ERROR_RESPONSES;

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  return rest;
}

/** Output components with cross references between them (ResultsPage → RequestView). */
function responseComponents(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  // A fragment-only $id is not a valid 2020-12 $id; the component's place names it already.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _drop, $id: _id, ...s }]) => [id, s]));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schemaName: string, example?: unknown) => ({ "application/json": { schema: ref(schemaName), ...(example !== undefined ? { example } : {}) } });
const errors = (...names: ErrorName[]) => Object.fromEntries(names.map((n) => [String(ERROR_RESPONSES[n][0]), { $ref: `#/components/responses/${n}` }]));

const requestIdPath = { $ref: "#/components/parameters/RequestId" };
const correlation = { $ref: "#/components/parameters/CorrelationId" };
const correlationHeader = { "X-Correlation-ID": { $ref: "#/components/headers/CorrelationId" } };

function queryParameters(): Json[] {
  const shape = ListResultsQuery.shape;
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    description: schema.description,
    schema: jsonSchemaOf(schema, "input"),
  }));
}

const looseObject = (description: string) => ({ "application/json": { schema: { type: "object", description } } });

export type DocumentSettings = { maxTextLength: number; version?: string };

export function openApiDocument(settings: DocumentSettings): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Chorus API",
      version: settings.version ?? "1.0.0",
      summary: "Run a summarizer, a sentiment analyzer and an entity extractor over text, sequentially or in parallel.",
      description:
        "Submit text with `POST /api/v1/process`; follow it with `GET /api/v1/results/{request_id}`, live with its Server-Sent Events, " +
        "or be told by a signed webhook. The same operations are served over gRPC (`chorus.v1.Orchestration`), and every event is a NATS subject " +
        "(see the AsyncAPI document). JSON is snake_case; errors are always `{ error, message, request_id?, details? }`.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "This gateway" }],
    tags: [
      { name: "Processing", description: "Submit text to the agents" },
      { name: "Results", description: "Requests and their agents' results, from the read models and the event stream" },
      { name: "Webhooks", description: "Delivery logs, redelivery, and receivers" },
      { name: "Operations", description: "Health, probes and this document" },
    ],
    paths: {
      "/api/v1/process": {
        post: {
          tags: ["Processing"],
          operationId: "process",
          summary: "Submit text for processing",
          description:
            "Without a webhook, waits for the result up to the server's bound and answers 200 with it, else 202 with the request as far as known and a `Location`. " +
            "With `webhook_url`, or `Prefer: respond-async`, answers 202 at once. `Idempotency-Key` makes a retry return the same request.",
          parameters: [
            { name: "Idempotency-Key", in: "header", required: false, description: IdempotencyKeyHeader.description, schema: jsonSchemaOf(IdempotencyKeyHeader, "input"), example: "order-4711" },
            { name: "Prefer", in: "header", required: false, description: "RFC 7240: `respond-async` answers 202 at once; `wait=N` waits at most N seconds", schema: { type: "string" } },
            correlation,
          ],
          requestBody: { required: true, content: { "application/json": { schema: ref("ProcessRequest"), example: PROCESS_REQUEST_EXAMPLE } } },
          responses: {
            "200": { description: "The request ended within the wait bound", headers: correlationHeader, content: json("RequestView", COMPLETED_VIEW_EXAMPLE) },
            "202": {
              description: "Accepted; still running (or a webhook / respond-async was asked for)",
              headers: {
                ...correlationHeader,
                Location: { description: "Where to read the result", schema: { type: "string" }, example: `/api/v1/results/${REQUEST_ID}` },
                "Preference-Applied": { description: "`respond-async` when the Prefer header was honoured", schema: { type: "string" } },
                "Idempotent-Replayed": { description: "`true` when this answers an earlier submission with the same Idempotency-Key", schema: { type: "string" } },
              },
              content: json("RequestView", PENDING_VIEW_EXAMPLE),
            },
            ...errors("MalformedJSON", "PayloadTooLarge", "UnsupportedMediaType", "ValidationError", "Unavailable"),
          },
        },
      },
      "/api/v1/results": {
        get: {
          tags: ["Results"],
          operationId: "listResults",
          summary: "List requests, newest first",
          parameters: [...queryParameters(), correlation],
          responses: { "200": { description: "One page", headers: correlationHeader, content: json("ResultsPage", RESULTS_PAGE_EXAMPLE) }, ...errors("ValidationError", "Unavailable") },
        },
      },
      "/api/v1/results/{request_id}": {
        get: {
          tags: ["Results"],
          operationId: "getResult",
          summary: "One request with every agent's result",
          parameters: [requestIdPath, correlation],
          responses: { "200": { description: "The request", headers: correlationHeader, content: json("RequestView", COMPLETED_VIEW_EXAMPLE) }, ...errors("NotFound", "Unavailable") },
        },
      },
      "/api/v1/results/{request_id}/events": {
        get: {
          tags: ["Results"],
          operationId: "streamResultEvents",
          summary: "The request's events, live, as Server-Sent Events",
          description:
            "Replays every recorded event of the request, then sends each new one as it is recorded, and ends after the end event (`RequestCompleted` or `RequestFailed`); " +
            "webhook events, which come after the end, are not part of it. Each frame: `id` is the event's stream sequence, `event` its type, `data` the event envelope " +
            "(schema `Event`). Reconnect with `Last-Event-ID` (or `?last_event_id=`) to resume after that event. Answered from NATS, not from Postgres.",
          parameters: [
            requestIdPath,
            { name: "Last-Event-ID", in: "header", required: false, description: "Resume after the event with this id (a stream sequence)", schema: { type: "string", pattern: "^\\d+$" } },
            { name: "last_event_id", in: "query", required: false, description: "The same as Last-Event-ID, for clients that cannot set headers", schema: { type: "string", pattern: "^\\d+$" } },
            correlation,
          ],
          responses: {
            "200": {
              description: "An event stream; each `data` is an `Event`",
              headers: correlationHeader,
              content: {
                "text/event-stream": {
                  schema: { type: "string", description: "Frames of `id`, `event` and `data` (one `Event` as JSON)" },
                  example: `id: 12\nevent: ${ACCEPTED_EVENT_EXAMPLE.type}\ndata: ${JSON.stringify(ACCEPTED_EVENT_EXAMPLE)}\n\n`,
                },
              },
            },
            ...errors("NotFound", "Unavailable"),
          },
        },
      },
      "/api/v1/webhook-logs/{request_id}": {
        get: {
          tags: ["Webhooks"],
          operationId: "getWebhookLogs",
          summary: "Every delivery attempt of the request's webhook",
          parameters: [requestIdPath, correlation],
          responses: { "200": { description: "The attempts, oldest first", headers: correlationHeader, content: looseObject("The request's webhook deliveries and their attempts") }, ...errors("NotFound", "Unavailable") },
        },
      },
      "/api/v1/webhook/retry/{request_id}": {
        post: {
          tags: ["Webhooks"],
          operationId: "retryWebhook",
          summary: "Redeliver the request's webhook now",
          description:
            "Starts a new delivery chain of the ended request's webhook (same body, same `webhook-id`), with a retry budget of its own. " +
            "Only one chain runs at a time: while the current one is still due (its first attempt is under way, a retry is scheduled, " +
            "or another manual retry was taken), the answer is 409 `WebhookRetryPending`, saying when the next attempt is due. " +
            "Attempt numbers go on from the attempts already made (never back to 1), so `webhook.attempts` counts every attempt of the request.",
          parameters: [requestIdPath, correlation],
          responses: {
            "202": { description: "Redelivery queued", headers: correlationHeader, content: looseObject("What was queued") },
            "409": {
              description: "`WebhookRetryPending`: a delivery chain is still due (the message says when its next attempt is); `NoWebhook`: the request has none; `NotEnded`: it has not ended",
              content: json("Error", WEBHOOK_RETRY_PENDING_EXAMPLE),
            },
            ...errors("NotFound", "Unavailable"),
          },
        },
      },
      "/webhook/receive": {
        post: {
          tags: ["Webhooks"],
          operationId: "receiveWebhook",
          summary: "A processing request from another system, HMAC-verified",
          description: "The body is a process request signed with `X-Webhook-Signature` (hex HMAC-SHA256 of the raw body) or the Standard Webhooks headers.",
          parameters: [
            { name: "X-Webhook-Signature", in: "header", required: false, description: "hex HMAC-SHA256 of the raw body", schema: { type: "string" } },
            correlation,
          ],
          requestBody: { required: true, content: { "application/json": { schema: ref("ProcessRequest"), example: PROCESS_REQUEST_EXAMPLE } } },
          responses: {
            "202": { description: "Accepted", headers: correlationHeader, content: json("RequestView", PENDING_VIEW_EXAMPLE) },
            ...errors("MalformedJSON", "Unauthorized", "PayloadTooLarge", "ValidationError", "Unavailable"),
          },
        },
      },
      "/webhook/callback/test": {
        post: {
          tags: ["Webhooks"],
          operationId: "testWebhookCallback",
          summary: "A receiver that verifies a webhook's signature, for trying webhooks out",
          parameters: [
            { name: "X-Webhook-Signature", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-id", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-timestamp", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-signature", in: "header", required: false, schema: { type: "string" } },
            correlation,
          ],
          requestBody: { required: true, content: json("RequestView", COMPLETED_VIEW_EXAMPLE) },
          responses: { "200": { description: "The signature is valid", content: looseObject("What was verified") }, ...errors("MalformedJSON", "Unauthorized") },
        },
      },
      "/api/v1/health": {
        get: {
          tags: ["Operations"],
          operationId: "health",
          summary: "Database, NATS and LLM provider, each checked",
          description:
            "The database and NATS are checked on each call. The LLM provider is not called here: the agents service checks it every " +
            "`PROVIDER_CHECK_INTERVAL_MS` (30 s) and reports through NATS, and this shows the latest report; a missing report, or one older " +
            "than three check intervals, is not ok.",
          responses: {
            "200": { description: "Every check is ok", content: json("HealthReport", HEALTH_EXAMPLE) },
            "503": { description: "A check failed", content: json("HealthReport", UNHEALTHY_EXAMPLE) },
          },
        },
      },
      "/livez": {
        get: { tags: ["Operations"], operationId: "livez", summary: "Liveness: the process runs", responses: { "200": { description: "Alive", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ok" } } }, example: { status: "ok" } } } } } },
      },
      "/readyz": {
        get: {
          tags: ["Operations"],
          operationId: "readyz",
          summary: "Readiness: NATS is up and the gateway is not stopping (Postgres is not required)",
          responses: {
            "200": { description: "Ready", content: looseObject("`status: ready` and each check") },
            "503": { description: "Not ready", content: looseObject("`status: not_ready` and each check") },
          },
        },
      },
      "/metrics": {
        get: {
          tags: ["Operations"],
          operationId: "metrics",
          summary: "Prometheus metrics of this process (OpenTelemetry)",
          responses: { "200": { description: "Prometheus text exposition format", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
      "/openapi.json": {
        get: { tags: ["Operations"], operationId: "openapi", summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } },
      },
    },
    components: {
      schemas: { ...responseComponents(), ProcessRequest: jsonSchemaOf(processRequestBody(settings.maxTextLength), "input") },
      parameters: {
        RequestId: { name: "request_id", in: "path", required: true, description: "The request's id (a UUID)", schema: { type: "string", format: "uuid" }, example: REQUEST_ID },
        CorrelationId: { name: "X-Correlation-ID", in: "header", required: false, description: "Carried through every event and log line; a new one is made if absent (X-Request-ID is read too)", schema: { type: "string", maxLength: 200 } },
      },
      headers: { CorrelationId: { description: "The correlation id of this request, echoed", schema: { type: "string" } } },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, [, description]]) => [name, { description, content: json("Error", ERROR_EXAMPLES[name]) }]),
      ),
    },
  };
}
