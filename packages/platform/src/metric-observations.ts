// Chorus's counters and histograms, and what each recorded event adds to them: a pure
// mapping from an event to counter increments and histogram samples, so the numbers
// follow the system of record.
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
  // Not from events: counted where a consumer copies a message it gives up on (dead-letter.ts).
  dead_letters: { name: "chorus_dead_letters", description: "Messages copied to the dead-letter subject, by stream and consumer" },
  // Not from events: counted where JetStream refuses a write for want of space (store-full.ts).
  store_refusals: { name: "chorus_event_store_refusals", description: "Writes JetStream refused for want of space (a stream at its limit, a full disk)" },
} as const;

export const HISTOGRAMS = {
  request_duration: { name: "chorus_request_duration", unit: "s", description: "Time from acceptance to end of a request, by end status" },
  agent_duration: { name: "chorus_agent_duration", unit: "s", description: "Duration of an agent run, by agent, provider and outcome" },
} as const;

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
    case "WebhookAttempted":
      return [{ kind: "count", metric: "webhook_attempts", labels: { outcome: webhookOutcome(event.data.status_code) }, value: 1 }];
    case "WebhookDelivered":
      return [{ kind: "count", metric: "webhook_deliveries", labels: { outcome: "delivered" }, value: 1 }];
    case "WebhookExhausted":
      return [{ kind: "count", metric: "webhook_deliveries", labels: { outcome: "exhausted" }, value: 1 }];
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
