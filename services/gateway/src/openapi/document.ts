// The OpenAPI 3.1 document of the REST API, generated from the same zod schemas that
// validate requests and shape responses, so it cannot drift from them. Pure: settings
// in, document out; served at /openapi.json.
import { z } from "zod";
import { RequestErasure, RequestView, type ApiScope } from "@chorus/contracts";
import { WEBHOOK_TOLERANCE_SECONDS } from "@chorus/webhook-security";
import { CreateKeyBody, KeyIdParam } from "../admin/schema.ts";
import { KeyIdentity } from "../caller/schema.ts";
import { HealthReport, publicHealth } from "../health/schema.ts";
import { ErrorBody } from "../http/errors.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { ListResultsQuery, ResultsPage } from "../results/schema.ts";
import { CallbackTestResult, WebhookLogs } from "../webhooks/schema.ts";
import { ApiKeyList, ApiKeyView, CreatedApiKey } from "./admin-key-schemas.ts";
import {
  COMPLETED_VIEW_EXAMPLE,
  CREATE_KEY_EXAMPLE,
  CREATED_KEY_EXAMPLE,
  ERROR_EXAMPLES,
  HEALTH_EXAMPLE,
  KEY_ID,
  KEY_IDENTITY_EXAMPLE,
  KEY_LIST_EXAMPLE,
  PENDING_VIEW_EXAMPLE,
  PROCESS_REQUEST_EXAMPLE,
  PUBLIC_ACCEPTED_EVENT_EXAMPLE,
  REQUEST_ID,
  RESULTS_PAGE_EXAMPLE,
  UNHEALTHY_EXAMPLE,
  WEBHOOK_CONFLICT_EXAMPLES,
} from "./examples.ts";
import { PublicEvent } from "./public-event-schema.ts";

type Json = Record<string, unknown>;
type Operation = Json & { description?: string; responses: Record<string, Json> };

/** Output schemas shown as components, by name: what the API answers with. */
export const RESPONSE_COMPONENTS = {
  RequestView,
  ResultsPage,
  RequestErasure,
  Error: ErrorBody,
  HealthReport,
  PublicEvent,
  WebhookLogs,
  CallbackTestResult,
  CreatedApiKey,
  ApiKeyView,
  ApiKeyList,
  KeyIdentity,
} as const;

/** Input schemas shown as components, by name (besides ProcessRequest, whose limit is a setting). */
export const REQUEST_COMPONENTS = { CreateKeyRequest: CreateKeyBody } as const;

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const retryAfter = { "Retry-After": headerRef("RetryAfter") };
const rateLimitHeaders = { RateLimit: headerRef("RateLimit"), "RateLimit-Policy": headerRef("RateLimitPolicy") };

type ErrorResponse = { status: number; description: string; headers?: Json };

/** The error answers operations share, by component name (each with an example in ERROR_EXAMPLES). */
const ERROR_RESPONSES = {
  MalformedJSON: { status: 400, description: "The body is not valid JSON" },
  Unauthorized: {
    status: 401,
    description: "No API key, or one that is unknown or revoked (send `Authorization: Bearer <key>`)",
    headers: { "WWW-Authenticate": headerRef("WWWAuthenticate") },
  },
  BadSignature: {
    status: 401,
    description: "`Unauthorized`: the webhook signature is missing, malformed, stale or of a scheme not accepted here, does not match the body, or its `webhook-id` was already accepted (a replay)",
  },
  Forbidden: { status: 403, description: "The API key is valid but lacks the scope this operation needs" },
  NotFound: { status: 404, description: "No such request (or route). A request of another tenant is not found either, exactly as one that never existed" },
  Gone: { status: 410, description: "The request was erased (DELETE /api/v1/results/{request_id}): nothing it held can be read any more" },
  PayloadTooLarge: { status: 413, description: "The body is larger than the configured limit" },
  UnsupportedMediaType: { status: 415, description: "The body is not JSON" },
  ValidationError: { status: 422, description: "A field, query parameter or header is invalid; `details` names each" },
  RateLimited: {
    status: 429,
    description: "`RateLimited`: the API key's requests per minute are used up (on event streams also: it has as many streams open as it may); retry after `Retry-After` seconds",
    headers: { ...retryAfter, ...rateLimitHeaders },
  },
  Unavailable: { status: 503, description: "NATS or Postgres is unreachable; retry after `Retry-After` seconds", headers: retryAfter },
} as const satisfies Record<string, ErrorResponse>;

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
const errors = (...names: ErrorName[]) => Object.fromEntries(names.map((n) => [String(ERROR_RESPONSES[n].status), { $ref: `#/components/responses/${n}` }]));

/**
 * An operation behind an API key with `scope` (null: any valid key): says so (in its
 * description and as the security requirement's role), answers 401, 403 and 429 too, and
 * its 2xx answers carry the key's RateLimit headers.
 */
function guarded(scope: ApiScope | null, operation: Operation): Operation {
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([code, response]) =>
      code.startsWith("2") ? [code, { ...response, headers: { ...(response.headers as Json | undefined), ...rateLimitHeaders } }] : [code, response],
    ),
  );
  return {
    ...operation,
    description: [scope === null ? "Needs a valid API key, of any scope." : `Needs an API key with the \`${scope}\` scope.`, operation.description].filter(Boolean).join(" "),
    security: [{ bearerAuth: scope === null ? [] : [scope] }],
    // Integer-like keys keep ascending order, so the status codes stay sorted.
    responses: { ...responses, ...(scope === null ? errors("Unauthorized", "RateLimited") : errors("Unauthorized", "Forbidden", "RateLimited")) },
  };
}

/** An operation that takes no API key. */
const keyless = (operation: Operation): Operation => ({ ...operation, security: [] });

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
const noStore = { description: "`no-store`: the answer is not to be cached", schema: { type: "string" } };

/** The report as an admin key sees it, and as anyone else does. */
const healthExamples = (report: HealthReport) => ({
  admin: { summary: "With an admin key", value: report },
  public: { summary: "Without one", value: publicHealth(report) },
});

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
        "(see the AsyncAPI document). JSON is snake_case; errors are always `{ error, message, request_id?, details? }`.\n\n" +
        "Calls need an API key, `Authorization: Bearer chorus_sk_…`, whose scopes include the one each operation names; a key belongs to one tenant " +
        "and sees only that tenant's requests. Health, the probes, these documents and the signed webhook receivers need none. " +
        "Keys are made with the admin operations (the first with the deployment's `CHORUS_ADMIN_KEY`).",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "This gateway" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Processing", description: "Submit text to the agents" },
      { name: "Results", description: "Requests and their agents' results, from the read models and the event stream" },
      { name: "Webhooks", description: "Delivery logs, redelivery, and receivers" },
      { name: "Admin", description: "API keys: create, list and revoke them (scope `admin`)" },
      { name: "Operations", description: "Health, probes, metrics and this document" },
    ],
    paths: {
      "/api/v1/process": {
        post: guarded("requests:write", {
          tags: ["Processing"],
          operationId: "process",
          summary: "Submit text for processing",
          description:
            "Without a webhook, waits for the result up to the server's bound and answers 200 with it, else 202 with the request as far as known and a `Location`. " +
            "With `webhook_url`, or `Prefer: respond-async`, answers 202 at once. `Idempotency-Key` makes a retry return the same request " +
            "(keys are the tenant's own: another tenant may use the same one). The request belongs to the key's tenant.",
          parameters: [
            { name: "Idempotency-Key", in: "header", required: false, description: IdempotencyKeyHeader.description, schema: jsonSchemaOf(IdempotencyKeyHeader, "input") },
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
        }),
      },
      "/api/v1/results": {
        get: guarded("requests:read", {
          tags: ["Results"],
          operationId: "listResults",
          summary: "List requests, newest first",
          description: "Only the requests of the key's tenant.",
          parameters: [...queryParameters(), correlation],
          responses: { "200": { description: "One page", headers: correlationHeader, content: json("ResultsPage", RESULTS_PAGE_EXAMPLE) }, ...errors("ValidationError", "Unavailable") },
        }),
      },
      "/api/v1/results/{request_id}": {
        get: guarded("requests:read", {
          tags: ["Results"],
          operationId: "getResult",
          summary: "One request with every agent's result",
          description: "A request of another tenant is 404, as one that never existed.",
          parameters: [requestIdPath, correlation],
          responses: { "200": { description: "The request", headers: correlationHeader, content: json("RequestView", COMPLETED_VIEW_EXAMPLE) }, ...errors("NotFound", "Gone", "Unavailable") },
        }),
        delete: guarded("requests:erase", {
          tags: ["Results"],
          operationId: "eraseResult",
          summary: "Erase an ended request: its text, outputs and webhook, everywhere",
          description:
            "Records a `RequestErased` event; from then on reads of the request answer 410 and lists leave it out. The projector then deletes every other event " +
            "of the request from the event stream (and its queued tasks and dead letters), so its text, the agents' outputs and its webhook URL cannot be read again " +
            "by any API, replay, export or rebuild; the read models keep a row saying it existed and was erased, when and by which key. " +
            "200 once that is done, 202 while it is still under way. Idempotent: erasing an erased request answers the same. " +
            "A request that has not ended yet is 409 `NotEnded`. Archives exported before the erasure still hold the request (see docs/operations.md).",
          parameters: [requestIdPath, correlation],
          responses: {
            "200": { description: "Erased: NATS holds nothing more of the request", headers: correlationHeader, content: json("RequestErasure") },
            "202": { description: "Erased: reads answer 410; the projector is still deleting what NATS holds of it", headers: correlationHeader, content: json("RequestErasure") },
            "409": { description: "`NotEnded`: the request is still running; erase it once it has ended", content: json("Error") },
            ...errors("NotFound", "Unavailable"),
          },
        }),
      },
      "/api/v1/results/{request_id}/events": {
        get: guarded("requests:read", {
          tags: ["Results"],
          operationId: "streamResultEvents",
          summary: "The request's events, live, as Server-Sent Events",
          description:
            "Replays every recorded event of the request, then sends each new one as it is recorded, and ends after the end event (`RequestCompleted` or `RequestFailed`); " +
            "webhook events, which come after the end, are not part of it. Each frame: `id` is the event's stream sequence, `event` its type, `data` the event's public view " +
            "(schema `PublicEvent`: the envelope without what only Chorus's own services need, such as the webhook's sealed secret, the body fingerprint and the idempotency key). " +
            "Reconnect with `Last-Event-ID` (or `?last_event_id=`) to resume after that event. Answered from NATS, not from Postgres. " +
            "A request of another tenant is 404. A key may hold only so many streams open at once (`API_MAX_STREAMS_PER_KEY`, 20 by default); one more is 429.",
          parameters: [
            requestIdPath,
            { name: "Last-Event-ID", in: "header", required: false, description: "Resume after the event with this id (a stream sequence)", schema: { type: "string", pattern: "^\\d+$" } },
            { name: "last_event_id", in: "query", required: false, description: "The same as Last-Event-ID, for clients that cannot set headers", schema: { type: "string", pattern: "^\\d+$" } },
            correlation,
          ],
          responses: {
            "200": {
              description: "An event stream; each `data` is a `PublicEvent`",
              headers: correlationHeader,
              content: {
                "text/event-stream": {
                  schema: { type: "string", description: "Frames of `id`, `event` and `data` (one `PublicEvent` as JSON)" },
                  example: `id: 1\nevent: ${PUBLIC_ACCEPTED_EVENT_EXAMPLE.type}\ndata: ${JSON.stringify(PUBLIC_ACCEPTED_EVENT_EXAMPLE)}\n\n`,
                },
              },
            },
            ...errors("NotFound", "Gone", "Unavailable"),
          },
        }),
      },
      "/api/v1/webhook-logs/{request_id}": {
        get: guarded("requests:read", {
          tags: ["Webhooks"],
          operationId: "getWebhookLogs",
          summary: "Every delivery attempt of the request's webhook",
          description: "A request of another tenant is 404, as one that never existed.",
          parameters: [requestIdPath, correlation],
          responses: { "200": { description: "The attempts, oldest first", headers: correlationHeader, content: json("WebhookLogs") }, ...errors("NotFound", "Gone", "Unavailable") },
        }),
      },
      "/api/v1/webhook/retry/{request_id}": {
        post: guarded("webhooks:write", {
          tags: ["Webhooks"],
          operationId: "retryWebhook",
          summary: "Redeliver the request's webhook now",
          description:
            "Starts a new delivery chain of the ended request's webhook (same body, same `webhook-id`), with a retry budget of its own. " +
            "Only one chain runs at a time: while the current one is still due (its first attempt is under way, a retry is scheduled, " +
            "or another manual retry was taken), the answer is 409 `WebhookRetryPending`, saying when the next attempt is due. " +
            "Attempt numbers go on from the attempts already made (never back to 1), so `webhook.attempts` counts every attempt of the request. " +
            "A request of another tenant is 404, as one that never existed.",
          parameters: [requestIdPath, correlation],
          responses: {
            "202": {
              description: "Redelivery queued",
              headers: correlationHeader,
              content: looseObject("`{ request_id, status: \"redelivery_requested\" }`"),
            },
            "409": {
              description:
                "The webhook cannot be redelivered now; `error` says why: `WebhookRetryPending`, a delivery chain is still due (the message says when its next attempt is) " +
                "or another manual retry was taken; `NoWebhook`, the request has none; `NotEnded`, it has not ended yet",
              content: { "application/json": { schema: ref("Error"), examples: WEBHOOK_CONFLICT_EXAMPLES } },
            },
            ...errors("NotFound", "Unavailable"),
          },
        }),
      },
      "/webhook/receive": {
        post: keyless({
          tags: ["Webhooks"],
          operationId: "receiveWebhook",
          summary: "A processing request from another system, HMAC-verified",
          description:
            "Takes no API key: the body is signed instead, with the deployment's shared secret (`WEBHOOK_INBOUND_SECRET`; without one this answers 503). " +
            `The body is a process request signed with the Standard Webhooks headers; \`webhook-timestamp\` must be within ${WEBHOOK_TOLERANCE_SECONDS} s of the server's clock, ` +
            "and each `webhook-id` is accepted once (a replay is 401). `X-Webhook-Signature` (hex HMAC-SHA256 of the raw body, signing neither an id nor a time) " +
            "is taken only where `WEBHOOK_INBOUND_ALLOW_LEGACY` is set. The request belongs to the deployment's tenant (`CHORUS_TENANT_ID`).",
          parameters: [
            { name: "webhook-id", in: "header", required: false, description: "Standard Webhooks: the message's id, accepted once", schema: { type: "string" } },
            { name: "webhook-timestamp", in: "header", required: false, description: "Standard Webhooks: Unix seconds when it was signed", schema: { type: "string", pattern: "^\\d+$" } },
            { name: "webhook-signature", in: "header", required: false, description: "Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` (several, space-separated)", schema: { type: "string" } },
            { name: "X-Webhook-Signature", in: "header", required: false, description: "Legacy, only with WEBHOOK_INBOUND_ALLOW_LEGACY: hex HMAC-SHA256 of the raw body", schema: { type: "string" } },
            correlation,
          ],
          requestBody: { required: true, content: { "application/json": { schema: ref("ProcessRequest"), example: PROCESS_REQUEST_EXAMPLE } } },
          responses: {
            "202": { description: "Accepted", headers: correlationHeader, content: json("RequestView", PENDING_VIEW_EXAMPLE) },
            ...errors("MalformedJSON", "BadSignature", "PayloadTooLarge", "ValidationError", "Unavailable"),
          },
        }),
      },
      "/webhook/callback/test": {
        post: keyless({
          tags: ["Webhooks"],
          operationId: "testWebhookCallback",
          summary: "A receiver that verifies a webhook's signature, for trying webhooks out",
          description:
            "Takes no API key and stores nothing: it checks the signature of whatever it is sent with the secret it is given, and answers what it found " +
            "(`valid: false` and a `reason` when the signature does not check out).",
          parameters: [
            { name: "X-Webhook-Secret", in: "header", required: false, description: "The secret to verify with (or the `secret` query parameter)", schema: { type: "string" } },
            { name: "secret", in: "query", required: false, description: "The same as X-Webhook-Secret", schema: { type: "string" } },
            { name: "X-Webhook-Signature", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-id", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-timestamp", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-signature", in: "header", required: false, schema: { type: "string" } },
            correlation,
          ],
          requestBody: { required: true, content: json("RequestView", COMPLETED_VIEW_EXAMPLE) },
          responses: { "200": { description: "What was verified", content: json("CallbackTestResult") }, ...errors("PayloadTooLarge", "ValidationError") },
        }),
      },
      "/api/v1/health": {
        get: {
          tags: ["Operations"],
          operationId: "health",
          summary: "Database, NATS and LLM provider, each checked",
          description:
            "Public: without a key it shows a summary (each check's `ok` and `ms`, the provider's name); with an admin key (or when `CHORUS_AUTH=off`) " +
            "also error texts, models and instances. `auth` says whether calls need a key. " +
            "The database and NATS are checked on each call. The LLM provider is not called here: the agents service checks it every " +
            "`PROVIDER_CHECK_INTERVAL_MS` (30 s) and reports through NATS, and this shows the latest report; a missing report, or one older " +
            "than three check intervals, is not ok.",
          // A key is optional: an admin key only adds detail.
          security: [{}, { bearerAuth: ["admin"] }],
          responses: {
            "200": { description: "Every check is ok", content: { "application/json": { schema: ref("HealthReport"), examples: healthExamples(HEALTH_EXAMPLE) } } },
            "503": { description: "A check failed", content: { "application/json": { schema: ref("HealthReport"), examples: healthExamples(UNHEALTHY_EXAMPLE) } } },
          },
        },
      },
      "/livez": {
        get: keyless({
          tags: ["Operations"],
          operationId: "livez",
          summary: "Liveness: the process runs",
          responses: { "200": { description: "Alive", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ok" } } }, example: { status: "ok" } } } } },
        }),
      },
      "/readyz": {
        get: keyless({
          tags: ["Operations"],
          operationId: "readyz",
          summary: "Readiness: NATS is up and the gateway is not stopping (Postgres is not required)",
          responses: {
            "200": { description: "Ready", content: looseObject("`status: ready` and each check") },
            "503": { description: "Not ready", content: looseObject("`status: not_ready` and each check") },
          },
        }),
      },
      "/metrics": {
        get: guarded("admin", {
          tags: ["Operations"],
          operationId: "metrics",
          summary: "Prometheus metrics of this process (OpenTelemetry)",
          description: "For scrapers, the same metrics are served without a key on the internal operations port (`OPS_PORT`, 9000 in the shipped compose file and manifests), which is not to be exposed.",
          responses: { "200": { description: "Prometheus text exposition format", content: { "text/plain": { schema: { type: "string" } } } } },
        }),
      },
      "/openapi.json": {
        get: keyless({ tags: ["Operations"], operationId: "openapi", summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } }),
      },
      "/api/v1/auth/key": {
        get: guarded(null, {
          tags: ["Admin"],
          operationId: "whoAmI",
          summary: "The calling API key: tenant, scopes, rate limit",
          description:
            "Lets a client learn what its key may do without trying each operation (the console shows it in its header). " +
            "Counts against the key's rate limit like any call. With `CHORUS_AUTH=off` it describes the open caller: the deployment's tenant, every scope, `key_id` null.",
          parameters: [correlation],
          responses: { "200": { description: "The key", headers: { ...correlationHeader, "Cache-Control": noStore }, content: json("KeyIdentity", KEY_IDENTITY_EXAMPLE) } },
        }),
      },
      "/api/v1/admin/keys": {
        post: guarded("admin", {
          tags: ["Admin"],
          operationId: "createApiKey",
          summary: "Create an API key",
          description:
            "Makes a key for a tenant with the given scopes. The answer is the only time the key itself is shown: Chorus keeps only its hash. " +
            "Without `rate_limit_per_minute` the key has the deployment's `API_RATE_LIMIT_PER_MINUTE`. The creation is recorded as an `ApiKeyCreated` event.",
          parameters: [correlation],
          requestBody: { required: true, content: { "application/json": { schema: ref("CreateKeyRequest"), example: CREATE_KEY_EXAMPLE } } },
          responses: {
            "201": { description: "The key, shown this once", headers: { ...correlationHeader, "Cache-Control": noStore }, content: json("CreatedApiKey", CREATED_KEY_EXAMPLE) },
            ...errors("MalformedJSON", "PayloadTooLarge", "ValidationError", "Unavailable"),
          },
        }),
        get: guarded("admin", {
          tags: ["Admin"],
          operationId: "listApiKeys",
          summary: "List the API keys",
          description: "Every key of every tenant, revoked ones included; never the key itself, only its first characters (`key_prefix`).",
          parameters: [correlation],
          responses: { "200": { description: "The keys", headers: { ...correlationHeader, "Cache-Control": noStore }, content: json("ApiKeyList", KEY_LIST_EXAMPLE) } },
        }),
      },
      "/api/v1/admin/keys/{key_id}": {
        delete: guarded("admin", {
          tags: ["Admin"],
          operationId: "revokeApiKey",
          summary: "Revoke an API key",
          description:
            "Every gateway replica refuses the key within seconds (401). Revoking a revoked key again is a 204 too. The revocation is recorded as an `ApiKeyRevoked` event.",
          parameters: [{ $ref: "#/components/parameters/KeyId" }, correlation],
          responses: {
            "204": { description: "Revoked", headers: correlationHeader },
            "404": { description: "No such key", content: json("Error", ERROR_EXAMPLES.KeyNotFound) },
            ...errors("Unavailable"),
          },
        }),
      },
    },
    components: {
      schemas: {
        ...responseComponents(),
        ProcessRequest: jsonSchemaOf(processRequestBody(settings.maxTextLength), "input"),
        ...Object.fromEntries(Object.entries(REQUEST_COMPONENTS).map(([name, schema]) => [name, jsonSchemaOf(schema, "input")])),
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "chorus_sk_…",
          description:
            "An API key, `chorus_sk_` and 43 characters, sent as `Authorization: Bearer <key>`. Each key belongs to one tenant and has scopes: " +
            "`requests:write` (submit), `requests:read` (results, list, events, webhook logs), `requests:erase` (erase a request), `webhooks:write` (manual webhook retry), `admin` (manage keys, metrics); " +
            "each operation's security requirement names the one it needs. The deployment's `CHORUS_ADMIN_KEY` is an admin key for making the first keys. " +
            "A deployment run with `CHORUS_AUTH=off` is open: no key is asked for, and every call is the deployment's tenant (`/api/v1/health` says `auth: off`).",
        },
      },
      parameters: {
        RequestId: { name: "request_id", in: "path", required: true, description: "The request's id (a UUID)", schema: { type: "string", format: "uuid" }, example: REQUEST_ID },
        KeyId: { name: "key_id", in: "path", required: true, description: "The key's id (`key_` and 16 hex digits), as created or listed", schema: jsonSchemaOf(KeyIdParam, "input"), example: KEY_ID },
        CorrelationId: { name: "X-Correlation-ID", in: "header", required: false, description: "Carried through every event and log line; a new one is made if absent (X-Request-ID is read too)", schema: { type: "string", maxLength: 200 } },
      },
      headers: {
        CorrelationId: { description: "The correlation id of this request, echoed", schema: { type: "string" } },
        WWWAuthenticate: {
          description: "RFC 6750: `Bearer realm=\"chorus\"`, with `error=\"invalid_token\"` when a key was sent but is unknown or revoked",
          schema: { type: "string" },
          example: 'Bearer realm="chorus", error="invalid_token"',
        },
        RetryAfter: { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 }, example: 5 },
        RateLimit: {
          description:
            "The key's budget now (IETF draft-ietf-httpapi-ratelimit-headers): `r` requests left, `t` seconds until the whole budget is back. " +
            "Sent with the answers of operations that need a key; not when `CHORUS_AUTH=off`",
          schema: { type: "string" },
          example: '"per-key";r=599;t=1',
        },
        RateLimitPolicy: {
          description: "The key's limit: `q` requests per window of `w` seconds, shared by every gateway replica",
          schema: { type: "string" },
          example: '"per-key";q=600;w=60',
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES as Record<string, ErrorResponse>).map(([name, { description, headers }]) => [
          name,
          { description, ...(headers ? { headers } : {}), content: json("Error", ERROR_EXAMPLES[name]) },
        ]),
      ),
    },
  };
}
