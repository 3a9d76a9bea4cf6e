// Example values for the OpenAPI document. A test parses each with the schema it is
// shown for, so an example that stops matching the API fails the build.
import type { ChorusEvent, RequestView } from "@chorus/contracts";
import type { ApiKeyView, CreateKeyBody } from "../admin/schema.ts";
import type { KeyIdentity } from "../caller/schema.ts";
import type { ErrorBody } from "../http/errors.ts";
import type { HealthReport } from "../health/schema.ts";
import type { ResultsPage } from "../results/schema.ts";
import type { PublicEvent } from "../views/public-event.ts";

export const REQUEST_ID = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";

export const PROCESS_REQUEST_EXAMPLE = {
  text: "Apple reported record earnings in Cupertino on Tuesday, and investors cheered.",
  orchestration_mode: "parallel",
  agents: ["summarizer", "sentiment", "entity_extractor"],
};

export const COMPLETED_VIEW_EXAMPLE: RequestView = {
  request_id: REQUEST_ID,
  status: "completed",
  orchestration_mode: "parallel",
  agents: ["summarizer", "sentiment", "entity_extractor"],
  created_at: "2026-11-24T10:00:00.000Z",
  completed_at: "2026-11-24T10:00:00.420Z",
  results: {
    summarizer: {
      status: "completed",
      provider: "local",
      model: "textrank",
      duration_ms: 12,
      usage: null,
      error: null,
      output: { summary: "Apple reported record earnings in Cupertino.", key_points: ["record earnings", "investors cheered"] },
    },
    sentiment: { status: "completed", provider: "local", model: "wink", duration_ms: 4, usage: null, error: null, output: { label: "positive", score: 0.62, confidence: 0.8 } },
    entity_extractor: {
      status: "completed",
      provider: "local",
      model: "compromise",
      duration_ms: 9,
      usage: null,
      error: null,
      output: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }, { text: "Cupertino", type: "LOCATION", start: 34, end: 43 }] },
    },
  },
  webhook: null,
  usage_total: null,
};

const pending = { status: "pending", provider: null, model: null, duration_ms: null, usage: null, error: null, output: null } as const;

export const PENDING_VIEW_EXAMPLE: RequestView = {
  ...COMPLETED_VIEW_EXAMPLE,
  status: "pending",
  completed_at: null,
  results: { summarizer: pending, sentiment: pending, entity_extractor: pending },
  webhook: { url: "https://example.com/hooks/chorus", status: "pending", attempts: 0, last_status_code: null, delivered_at: null },
};

export const RESULTS_PAGE_EXAMPLE: ResultsPage = { items: [COMPLETED_VIEW_EXAMPLE], page: 1, page_size: 20, total: 1 };

/** As an admin key sees it; without one, each check is only `ok` and `ms` (see publicHealth). */
export const HEALTH_EXAMPLE: HealthReport = {
  status: "healthy",
  auth: "required",
  checks: {
    database: { ok: true, ms: 2 },
    nats: { ok: true, ms: 1 },
    llm_provider: {
      ok: true,
      provider: "openai",
      model: "gpt-4o-mini",
      models: { summarizer: "gpt-4o-mini", sentiment: "gpt-4o-mini", entity_extractor: "gpt-4o-mini" },
      checked_at: "2026-11-24T09:59:41.208Z",
      instance: "agents-6c9d7f8b5-x2kqp:1",
    },
  },
};

/** The same deployment after its agents stopped reporting. */
export const UNHEALTHY_EXAMPLE: HealthReport = {
  status: "unhealthy",
  auth: "required",
  checks: {
    ...HEALTH_EXAMPLE.checks,
    llm_provider: {
      ...HEALTH_EXAMPLE.checks.llm_provider,
      ok: false,
      checked_at: "2026-11-24T09:58:11.208Z",
      error: "no agents service has reported in the last 90 s (the last report, from agents-6c9d7f8b5-x2kqp:1, is from 2026-11-24T09:58:11.208Z)",
    },
  },
};

export const ACCEPTED_EVENT_EXAMPLE: ChorusEvent = {
  id: "5d0c3c8e-9a43-4c8e-a1a5-8e3f0c7d1b2a",
  type: "AgentStarted",
  version: 1,
  request_id: REQUEST_ID,
  tenant_id: "default",
  occurred_at: "2026-11-24T10:00:00.015Z",
  correlation_id: "3f6c2b8e-1d7a-4c1e-9f0a-2b5d8e7c6a41",
  data: { agent: "summarizer", provider: "local", model: "textrank", delivery: 1 },
};

/** A RequestAccepted as SSE sends it: no idempotency key or fingerprint, the webhook as its URL only. */
export const PUBLIC_ACCEPTED_EVENT_EXAMPLE: PublicEvent = {
  id: "ec08a192-d8a7-46e0-be55-438cb5bc5ddb",
  type: "RequestAccepted",
  version: 1,
  request_id: REQUEST_ID,
  tenant_id: "acme",
  occurred_at: "2026-11-24T10:00:00.002Z",
  correlation_id: "3f6c2b8e-1d7a-4c1e-9f0a-2b5d8e7c6a41",
  data: {
    text: PROCESS_REQUEST_EXAMPLE.text,
    orchestration_mode: "parallel",
    agents: ["summarizer", "sentiment", "entity_extractor"],
    webhook: { url: "https://example.com/hooks/chorus" },
    agent_timeout_ms: 30_000,
    submitted_by_key: "key_0f5d9b4e18acee7c",
  },
};

export const KEY_ID = "key_0f5d9b4e18acee7c";

export const CREATE_KEY_EXAMPLE: CreateKeyBody = { tenant: "acme", name: "billing service", scopes: ["requests:write", "requests:read"], rate_limit_per_minute: 120 };

/** Not a real key: the shape of one. */
export const CREATED_KEY_EXAMPLE = {
  id: KEY_ID,
  key: "chorus_sk_Xmpl0nly_dOcUmEnTaTiOn-kEy_nOt-ReAl_0123456",
  tenant: "acme",
  name: "billing service",
  scopes: ["requests:write", "requests:read"],
  rate_limit_per_minute: 120,
  created_at: "2026-11-24T09:30:00.000Z",
};

const LISTED_KEY_EXAMPLE: ApiKeyView = {
  id: KEY_ID,
  tenant: "acme",
  name: "billing service",
  scopes: ["requests:write", "requests:read"],
  rate_limit_per_minute: 120,
  key_prefix: "chorus_sk_Xmpl0n",
  created_at: "2026-11-24T09:30:00.000Z",
  last_used_at: "2026-11-24T10:00:00.000Z",
  revoked_at: null,
};

export const KEY_LIST_EXAMPLE: { keys: ApiKeyView[] } = {
  keys: [
    LISTED_KEY_EXAMPLE,
    { ...LISTED_KEY_EXAMPLE, id: "key_7017a3db15ce3fcb", name: "old deploy script", key_prefix: "chorus_sk_Q3vT8a", rate_limit_per_minute: null, last_used_at: null, revoked_at: "2026-11-20T16:12:05.000Z" },
  ],
};

export const KEY_IDENTITY_EXAMPLE: KeyIdentity = { tenant: "acme", key_id: KEY_ID, scopes: ["requests:write", "requests:read"], rate_limit_per_minute: 120, auth: "required" };

export const WEBHOOK_RETRY_PENDING_EXAMPLE: ErrorBody = {
  error: "WebhookRetryPending",
  message: "a retry of this webhook is already pending: attempt 3 is scheduled for 2026-11-24T10:00:04.180Z; ask again once this delivery has ended",
  request_id: REQUEST_ID,
};

/** The 409 answers of a manual webhook retry, by their `error`. */
export const WEBHOOK_CONFLICT_EXAMPLES: Record<"WebhookRetryPending" | "NoWebhook" | "NotEnded", { summary: string; value: ErrorBody }> = {
  WebhookRetryPending: { summary: "A delivery chain is still due", value: WEBHOOK_RETRY_PENDING_EXAMPLE },
  NoWebhook: { summary: "The request has no webhook", value: { error: "NoWebhook", message: "this request has no webhook to redeliver", request_id: REQUEST_ID } },
  NotEnded: { summary: "The request has not ended", value: { error: "NotEnded", message: "this request has not ended yet; its webhook is sent when it does", request_id: REQUEST_ID } },
};

export const ERROR_EXAMPLES: Record<string, ErrorBody> = {
  MalformedJSON: { error: "MalformedJSON", message: "request body is not valid JSON" },
  NotFound: { error: "NotFound", message: `no request ${REQUEST_ID}`, request_id: REQUEST_ID },
  PayloadTooLarge: { error: "PayloadTooLarge", message: "request body is larger than 262144 bytes" },
  UnsupportedMediaType: { error: "UnsupportedMediaType", message: "Content-Type must be application/json, got text/plain" },
  ValidationError: {
    error: "ValidationError",
    message: "invalid request: text: must be 10 to 10000 characters (Unicode code points), got 5",
    details: [{ field: "text", message: "must be 10 to 10000 characters (Unicode code points), got 5" }],
  },
  KeyNotFound: { error: "NotFound", message: "no API key key_9a1b2c3d4e5f6071" },
  Unauthorized: { error: "Unauthorized", message: "an API key is required: send Authorization: Bearer <key>" },
  BadSignature: { error: "Unauthorized", message: "invalid webhook signature (mismatch)" },
  Forbidden: { error: "Forbidden", message: "this API key does not have the requests:write scope" },
  RateLimited: { error: "RateLimited", message: "rate limit of 600 requests per minute reached for this API key; retry in 1 s" },
  Unavailable: { error: "Unavailable", message: "the message broker is unavailable; try again shortly" },
};
