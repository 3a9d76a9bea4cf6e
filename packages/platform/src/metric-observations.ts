// Chorus's counters and histograms, and what each recorded event adds to them: a pure
// mapping from an event to counter increments and histogram samples, so the numbers
// follow the system of record.
import { createHash } from "node:crypto";
import type { ChorusEvent } from "@chorus/contracts";

export type Labels = Record<string, string>;

export type Observation =
  | { kind: "count"; metric: CounterName; labels: Labels; value: number }
  | { kind: "sample"; metric: HistogramName; labels: Labels; value: number };

export const COUNTERS = {
  requests_ended: { name: "chorus_requests_ended", description: "Requests that reached an end, by end status" },
  agent_failures: { name: "chorus_agent_failures", description: "Agent runs that failed, by agent, provider and error code" },
  llm_tokens: { name: "chorus_llm_tokens", description: "LLM tokens used, by agent, provider and kind (prompt or completion)" },
  webhook_attempts: { name: "chorus_webhook_attempts", description: "Webhook delivery attempts, by outcome" },
  webhook_deliveries: { name: "chorus_webhook_deliveries", description: "Webhooks that ended, delivered or exhausted" },
  webhook_circuit_changes: { name: "chorus_webhook_circuit_changes", description: "Webhook endpoint circuits that opened, took a probe (half_open) or closed, by state and endpoint group" },
  // Not from events: counted where a consumer copies a message it gives up on (dead-letter.ts).
  dead_letters: { name: "chorus_dead_letters", description: "Messages copied to the dead-letter subject, by stream and consumer" },
  // Not from events: counted where JetStream refuses a write for want of space (store-full.ts).
  store_refusals: { name: "chorus_event_store_refusals", description: "Writes JetStream refused for want of space (a stream at its limit, a full disk)" },
} as const;

/** Webhook timings span milliseconds (a fast receiver) to hours (retries on the schedule): OTel's default buckets see neither end. */
const WEBHOOK_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 18000, 36000, 86400];

export const HISTOGRAMS = {
  request_duration: { name: "chorus_request_duration", unit: "s", description: "Time from acceptance to end of a request, by end status" },
  agent_duration: { name: "chorus_agent_duration", unit: "s", description: "Duration of an agent run, by agent, provider and outcome" },
  webhook_attempt_duration: { name: "chorus_webhook_attempt_duration", unit: "s", description: "Duration of a webhook attempt's HTTP exchange, by outcome and endpoint group", buckets: WEBHOOK_SECONDS_BUCKETS },
  // Not from events: observed where the webhook service records a delivery (it knows the end's time).
  webhook_delivery_latency: {
    name: "chorus_webhook_delivery_latency",
    unit: "s",
    description: "Time from a request's end to its webhook's delivery (retries and waits included), by endpoint group",
    buckets: WEBHOOK_SECONDS_BUCKETS,
  },
} as const satisfies Record<string, { name: string; unit: string; description: string; buckets?: readonly number[] }>;

export type CounterName = keyof typeof COUNTERS;
export type HistogramName = keyof typeof HISTOGRAMS;

const seconds = (ms: number) => ms / 1000;

function tokens(agent: string, provider: string, usage: { prompt_tokens: number; completion_tokens: number } | null): Observation[] {
  if (!usage) return [];
  return [
    { kind: "count", metric: "llm_tokens", labels: { agent, provider, kind: "prompt" }, value: usage.prompt_tokens },
    { kind: "count", metric: "llm_tokens", labels: { agent, provider, kind: "completion" }, value: usage.completion_tokens },
  ];
}

/** Endpoint groups in the metrics: a label per endpoint would grow without bound with the URLs clients give. */
export const ENDPOINT_GROUPS = 64;

/**
 * The metrics label of a webhook endpoint (a URL or its origin): one of ENDPOINT_GROUPS
 * groups by a hash of the origin, "g00"…"g63". An endpoint's group is in the webhook
 * service's log lines (`endpoint_group`), so a busy or failing group leads to its endpoints.
 */
export function endpointGroup(urlOrOrigin: string): string {
  let origin = urlOrOrigin;
  try {
    origin = new URL(urlOrOrigin).origin;
  } catch {
    // Not a URL: grouped as given.
  }
  const n = createHash("sha256").update(origin).digest().readUInt32BE(0) % ENDPOINT_GROUPS;
  return `g${String(n).padStart(2, "0")}`;
}

/** A webhook attempt's outcome: the 2xx it was meant to get, another status, or no answer. */
export function webhookOutcome(statusCode: number | null): "success" | "http_error" | "no_response" {
  if (statusCode === null) return "no_response";
  return statusCode >= 200 && statusCode < 300 ? "success" : "http_error";
}

export function observationsOf(event: ChorusEvent): Observation[] {
  switch (event.type) {
    case "RequestCompleted":
    case "RequestFailed": {
      const labels = { status: event.data.status, mode: event.data.orchestration_mode };
      return [
        { kind: "count", metric: "requests_ended", labels, value: 1 },
        { kind: "sample", metric: "request_duration", labels, value: seconds(event.data.duration_ms) },
      ];
    }
    case "AgentCompleted": {
      const { agent, provider } = event.data;
      return [
        { kind: "sample", metric: "agent_duration", labels: { agent, provider, outcome: "completed" }, value: seconds(event.data.duration_ms) },
        ...tokens(agent, provider, event.data.usage),
      ];
    }
    case "AgentFailed": {
      const { agent } = event.data;
      const provider = event.data.provider ?? "none";
      return [
        { kind: "count", metric: "agent_failures", labels: { agent, provider, code: event.data.error.code }, value: 1 },
        ...(event.data.duration_ms === null
          ? []
          : [{ kind: "sample", metric: "agent_duration", labels: { agent, provider, outcome: "failed" }, value: seconds(event.data.duration_ms) } as const]),
        ...tokens(agent, provider, event.data.usage),
      ];
    }
    case "WebhookAttempted": {
      const outcome = webhookOutcome(event.data.status_code);
      return [
        { kind: "count", metric: "webhook_attempts", labels: { outcome }, value: 1 },
        { kind: "sample", metric: "webhook_attempt_duration", labels: { outcome, endpoint: endpointGroup(event.data.url) }, value: seconds(event.data.duration_ms) },
      ];
    }
    case "WebhookDelivered":
      return [{ kind: "count", metric: "webhook_deliveries", labels: { outcome: "delivered" }, value: 1 }];
    case "WebhookExhausted":
      return [{ kind: "count", metric: "webhook_deliveries", labels: { outcome: "exhausted" }, value: 1 }];
    case "WebhookCircuitChanged":
      return [{ kind: "count", metric: "webhook_circuit_changes", labels: { state: event.data.state, endpoint: endpointGroup(event.data.endpoint) }, value: 1 }];
    // Nothing may be counted from AgentStarted: a quick run records none (its outcome carries its start).
    case "RequestAccepted":
    case "AgentDispatched":
    case "AgentStarted":
    case "RequestErased":
      return [];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
