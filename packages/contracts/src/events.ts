// Every fact Chorus records, as versioned envelopes. Past tense: these happened.
// The event stream is the system of record; read models are folds of these.
import { z } from "zod";
import { AgentError, AgentId, AgentOutput, OrchestrationMode, TokenUsage } from "./agents.ts";
import { envelope } from "./envelope.ts";
import { AgentResults, EndStatus } from "./results.ts";
import { WebhookTarget } from "./webhook.ts";

export const RequestAccepted = envelope(
  "RequestAccepted",
  z.object({
    text: z.string(),
    orchestration_mode: OrchestrationMode,
    // In run order: sequential mode runs them one after another in this order.
    agents: z.array(AgentId).min(1),
    webhook: WebhookTarget.nullable(),
    idempotency_key: z.string().nullable(),
    // sha256 of the submitted body, so a reused Idempotency-Key with another body is caught.
    fingerprint: z.string().nullable(),
    agent_timeout_ms: z.number().int().positive(),
    /** The id of the API key that submitted the request (never the key); absent without keys. */
    submitted_by_key: z.string().max(64).optional(),
    /**
     * Version 2. Parallel mode: this accept is also the dispatch of every agent it lists,
     * under this deadline; each agent's service runs its part straight from the accept (no
     * AgentDispatched, no task message). null in sequential mode, where the orchestrator
     * dispatches each agent in turn as before. Absent in version 1, where the orchestrator
     * dispatched every agent.
     */
    dispatch: z.object({ deadline_at: z.iso.datetime({ offset: true }) }).nullable().optional(),
  }),
  [1, 2],
);

/** Whether an accept is itself its agents' dispatch (version 2, parallel mode), and under which deadline. */
export function dispatchedByAccept(accepted: z.infer<typeof RequestAccepted>): { deadline_at: string } | null {
  return accepted.version === 2 ? (accepted.data.dispatch ?? null) : null;
}

export const AgentDispatched = envelope(
  "AgentDispatched",
  z.object({
    agent: AgentId,
    deadline_at: z.iso.datetime({ offset: true }),
    // Sequential mode: the earlier agents whose outputs the task carries as context.
    context_from: z.array(AgentId),
  }),
);

/**
 * When the agent's run that produced an outcome began. A run recorded as AgentStarted only
 * when it is still going a moment after it began (AGENT_STARTED_AFTER_MS), so a quick run's
 * start is in its outcome alone. Optional: events recorded before it was added lack it.
 */
const runStartedAt = z.iso
  .datetime({ offset: true })
  .optional()
  .describe(
    "When the agent's run that produced this outcome began (its AgentStarted's occurred_at, when one was recorded). Absent when no run produced it (the orchestrator's timeout) and on events recorded before the field was added.",
  );

/**
 * An agent's run is still going a moment after it began (AGENT_STARTED_AFTER_MS; every
 * run with 0). `occurred_at` is when the run began, the outcome's `started_at`.
 */
export const AgentStarted = envelope(
  "AgentStarted",
  z.object({
    agent: AgentId,
    provider: z.string(),
    model: z.string(),
    delivery: z.number().int().min(1),
  }),
);

export const AgentCompleted = envelope(
  "AgentCompleted",
  z.object({
    agent: AgentId,
    provider: z.string(),
    model: z.string(),
    output: AgentOutput,
    duration_ms: z.number().int().min(0),
    usage: TokenUsage.nullable(),
    started_at: runStartedAt,
  }),
);

export const AgentFailed = envelope(
  "AgentFailed",
  z.object({
    agent: AgentId,
    provider: z.string().nullable(),
    model: z.string().nullable(),
    error: AgentError,
    duration_ms: z.number().int().min(0).nullable(),
    usage: TokenUsage.nullable(),
    // Absent on the orchestrator's timeout, which ran nothing.
    started_at: runStartedAt,
  }),
);

const endData = <S extends z.ZodType>(status: S) =>
  z.object({
    status,
    results: AgentResults,
    duration_ms: z.number().int().min(0),
    // Carried on the end event so the webhook service needs nothing else to deliver.
    webhook: WebhookTarget.nullable(),
    orchestration_mode: OrchestrationMode,
    agents: z.array(AgentId),
    created_at: z.iso.datetime({ offset: true }),
  });

export const RequestCompleted = envelope("RequestCompleted", endData(EndStatus.extract(["completed", "partial"])));
export const RequestFailed = envelope("RequestFailed", endData(EndStatus.extract(["failed"])));

export const WebhookAttempted = envelope(
  "WebhookAttempted",
  z.object({
    webhook_id: z.string(),
    /** 1, 2, 3… per request, counting on across manual redeliveries: never reused. */
    attempt: z.number().int().min(1),
    url: z.string(),
    status_code: z.number().int().nullable(),
    duration_ms: z.number().int().min(0),
    error: z.string().nullable(),
    next_attempt_at: z.iso.datetime({ offset: true }).nullable(),
  }),
);

export const WebhookDelivered = envelope(
  "WebhookDelivered",
  // `attempt`: the number (per request, as on WebhookAttempted) of the attempt the receiver took.
  z.object({ webhook_id: z.string(), attempt: z.number().int().min(1), status_code: z.number().int() }),
);

/**
 * Why a delivery chain gave up: every allowed attempt failed (`retries_used_up`), its time
 * ran out while its endpoint's circuit kept it waiting (`expired`), or retrying could not
 * help: the receiver answered 410 (`gone`), the URL may not be reached (`refused`), or the
 * secret cannot be opened (`secret_unusable`).
 */
export const WebhookGiveUpCause = z.enum(["retries_used_up", "expired", "gone", "refused", "secret_unusable"]);
export type WebhookGiveUpCause = z.infer<typeof WebhookGiveUpCause>;

export const WebhookExhausted = envelope(
  "WebhookExhausted",
  z.object({
    webhook_id: z.string(),
    /** Every attempt recorded for the request so far, this chain's and earlier ones'. */
    attempts: z.number().int().min(0),
    reason: z.string(),
    /** Absent on events recorded before it was added: read as `retries_used_up`. */
    cause: WebhookGiveUpCause.optional(),
  }),
);

/**
 * A request's personal data was erased (DELETE /api/v1/results/{id}): recorded by the
 * gateway, after which the projector deletes every other event of the request from the
 * stream, its queued tasks and its dead letters. This tombstone is all the log keeps: that
 * the request existed, how it ended, and when and by which key it was erased. Nothing in it
 * was written by the client.
 */
export const RequestErased = envelope(
  "RequestErased",
  z.object({
    /** The id of the API key that erased it (never the key); null without keys. */
    erased_by_key: z.string().max(64).nullable(),
    /** How the request had ended; erasure is refused while it runs. */
    status: EndStatus,
    orchestration_mode: OrchestrationMode,
    agents: z.array(AgentId),
    /** When the request was accepted. */
    created_at: z.iso.datetime({ offset: true }),
    /** When it ended. */
    completed_at: z.iso.datetime({ offset: true }).nullable(),
    /** How many of the request's events the stream held when it was erased. */
    erased_events: z.number().int().min(0),
  }),
);

/** An endpoint's circuit breaker: `open` (deliveries wait), `half_open` (one probe is out), `closed` (sending again). */
export const WebhookCircuitState = z.enum(["open", "half_open", "closed"]);
export type WebhookCircuitState = z.infer<typeof WebhookCircuitState>;

/**
 * The circuit of the request's webhook endpoint changed, through this request's delivery:
 * its failing attempt opened it (or its failing probe opened it again), it took the probe
 * (half-open), or its success closed it. One event per change, on the request that made it.
 */
export const WebhookCircuitChanged = envelope(
  "WebhookCircuitChanged",
  z.object({
    webhook_id: z.string(),
    /** The endpoint: the webhook URL's origin (scheme, host and port). */
    endpoint: z.string(),
    state: WebhookCircuitState,
    /** Failing attempts in a row that opened the circuit (0 once closed). */
    failures: z.number().int().min(0),
    /** Open: when the next probe may go; otherwise null. */
    next_probe_at: z.iso.datetime({ offset: true }).nullable(),
  }),
);

export const ChorusEvent = z.discriminatedUnion("type", [
  RequestAccepted,
  AgentDispatched,
  AgentStarted,
  AgentCompleted,
  AgentFailed,
  RequestCompleted,
  RequestFailed,
  WebhookAttempted,
  WebhookDelivered,
  WebhookExhausted,
  RequestErased,
  WebhookCircuitChanged,
]);
export type ChorusEvent = z.infer<typeof ChorusEvent>;
export type ChorusEventType = ChorusEvent["type"];
export type EventOf<T extends ChorusEventType> = Extract<ChorusEvent, { type: T }>;

export const EVENT_SCHEMAS = {
  RequestAccepted,
  AgentDispatched,
  AgentStarted,
  AgentCompleted,
  AgentFailed,
  RequestCompleted,
  RequestFailed,
  WebhookAttempted,
  WebhookDelivered,
  WebhookExhausted,
  RequestErased,
  WebhookCircuitChanged,
} as const satisfies Record<ChorusEventType, z.ZodType>;

export type RequestEndEvent = EventOf<"RequestCompleted"> | EventOf<"RequestFailed">;
export type AgentOutcomeEvent = EventOf<"AgentCompleted"> | EventOf<"AgentFailed">;

export function isEndEvent(e: ChorusEvent): e is RequestEndEvent {
  return e.type === "RequestCompleted" || e.type === "RequestFailed";
}
