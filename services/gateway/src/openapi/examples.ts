// Example values for the OpenAPI document. A test parses each with the schema it is
// shown for, so an example that stops matching the API fails the build.
import type { ChorusEvent, RequestView } from "@chorus/contracts";
import type { ErrorBody } from "../http/errors.ts";
import type { HealthReport } from "../health/schema.ts";
import type { ResultsPage } from "../results/schema.ts";

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

export const HEALTH_EXAMPLE: HealthReport = {
  status: "healthy",
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

export const WEBHOOK_RETRY_PENDING_EXAMPLE: ErrorBody = {
  error: "WebhookRetryPending",
  message: "a retry of this webhook is already pending: attempt 3 is scheduled for 2026-11-24T10:00:04.180Z; ask again once this delivery has ended",
  request_id: REQUEST_ID,
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
  Conflict: { error: "Conflict", message: "the request has not ended yet; nothing to redeliver", request_id: REQUEST_ID },
  Unauthorized: { error: "Unauthorized", message: "signature does not match the body" },
  Unavailable: { error: "Unavailable", message: "the message broker is unavailable; try again shortly" },
};
