// What a client following a request (SSE, gRPC WatchRequest) sees of each recorded event:
// the envelope without what only Chorus's own services need (the sealed webhook secret,
// the body fingerprint, the idempotency key), and webhook URLs without a `user:password@`
// part. Pure. Data fields are allow-listed per event type, so a field added to a schema
// later stays out of the public view until someone decides otherwise (a unit test asks).
import { ApiKeyId, type ChorusEvent, type ChorusEventType, type EventOf, type WebhookTarget } from "@chorus/contracts";

type DataKey<T extends ChorusEventType> = keyof EventOf<T>["data"] & string;

const END_FIELDS = ["status", "results", "duration_ms", "webhook", "orchestration_mode", "agents", "created_at"] as const;

/** Each event type's data fields a follower sees (`webhook`, `url`, `error` and `reason` rewritten, see below). */
export const PUBLIC_DATA_FIELDS = {
  RequestAccepted: ["text", "orchestration_mode", "agents", "webhook", "agent_timeout_ms", "dispatch"],
  AgentDispatched: ["agent", "deadline_at", "context_from"],
  AgentStarted: ["agent", "provider", "model", "delivery"],
  AgentCompleted: ["agent", "provider", "model", "output", "duration_ms", "usage", "started_at"],
  AgentFailed: ["agent", "provider", "model", "error", "duration_ms", "usage", "started_at"],
  RequestCompleted: END_FIELDS,
  RequestFailed: END_FIELDS,
  WebhookAttempted: ["webhook_id", "attempt", "url", "status_code", "duration_ms", "error", "next_attempt_at"],
  WebhookDelivered: ["webhook_id", "attempt", "status_code"],
  WebhookExhausted: ["webhook_id", "attempts", "reason", "cause"],
  RequestErased: ["status", "orchestration_mode", "agents", "created_at", "completed_at", "erased_events", "erased_by_key"],
  WebhookCircuitChanged: ["webhook_id", "endpoint", "state", "failures", "next_probe_at"],
} as const satisfies { [T in ChorusEventType]: readonly DataKey<T>[] };

/** Data fields recorded for Chorus's own services only: a follower never sees them. */
export const WITHHELD_DATA_FIELDS = {
  // The fingerprint hashes the submitted body, webhook_secret included, so it would let a reader test guesses
  // of it; the idempotency key is the submitter's handle for retrying, not a reader's business.
  RequestAccepted: ["idempotency_key", "fingerprint"],
} as const satisfies { [T in ChorusEventType]?: readonly DataKey<T>[] };

/**
 * Fields naming the API key that acted, in the envelope or its data: kept where recorded,
 * since a key id is public, but only when the value is a key id (or null), never a key.
 */
export const KEY_ID_FIELDS = ["submitted_by_key", "key_id"] as const;

export type PublicEvent = Pick<ChorusEvent, "id" | "type" | "version" | "request_id" | "tenant_id" | "occurred_at" | "correlation_id"> & {
  data: Record<string, unknown>;
};

const USERINFO_IN_TEXT = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#\\]*@/g;

/** Any `scheme://user:password@` in free text (an error message, a reason) without its userinfo. */
export function withoutUserinfoInText(text: string): string {
  return text.replace(USERINFO_IN_TEXT, "$1");
}

/** The URL without `user:password@`; a URL without userinfo comes back exactly as given. */
export function withoutUserinfo(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed) return withoutUserinfoInText(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

function publicWebhook(target: WebhookTarget | null): { url: string } | null {
  // Built, not trimmed: whatever else a target carries (the sealed secret today) stays out.
  return target ? { url: withoutUserinfo(target.url) } : null;
}

function picked(from: object, fields: readonly string[]): Record<string, unknown> {
  const source = from as Record<string, unknown>;
  return Object.fromEntries(fields.filter((f) => f in source).map((f) => [f, source[f]]));
}

function keyIds(from: object): Record<string, unknown> {
  const source = from as Record<string, unknown>;
  return Object.fromEntries(KEY_ID_FIELDS.filter((f) => f in source && (source[f] === null || ApiKeyId.safeParse(source[f]).success)).map((f) => [f, source[f]]));
}

function rewrittenData(event: ChorusEvent): Record<string, unknown> {
  switch (event.type) {
    case "RequestAccepted":
    case "RequestCompleted":
    case "RequestFailed":
      return { webhook: publicWebhook(event.data.webhook) };
    case "WebhookAttempted":
      return { url: withoutUserinfo(event.data.url), error: event.data.error === null ? null : withoutUserinfoInText(event.data.error) };
    case "WebhookExhausted":
      return { reason: withoutUserinfoInText(event.data.reason) };
    default:
      return {};
  }
}

/** The event as a follower of its request sees it. */
export function publicEvent(event: ChorusEvent): PublicEvent {
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    request_id: event.request_id,
    tenant_id: event.tenant_id,
    occurred_at: event.occurred_at,
    correlation_id: event.correlation_id,
    ...keyIds(event),
    data: { ...picked(event.data, PUBLIC_DATA_FIELDS[event.type]), ...rewrittenData(event), ...keyIds(event.data) },
  };
}
