// GET /api/v1/webhook-logs/{id}: a request's webhook delivery attempts, as the gateway
// answers them and clients (the chorus CLI) read them.
import { z } from "zod";
import { WebhookCircuitState } from "./events.ts";

export const WebhookAttemptView = z.object({
  attempt: z.number().int().min(1),
  webhook_id: z.string().describe("Stable across retries and redeliveries of one request's end: receivers deduplicate on it"),
  url: z.string(),
  status_code: z.number().int().nullable().describe("The receiver's status; null when it did not answer"),
  duration_ms: z.number().int().min(0),
  error: z.string().nullable(),
  next_attempt_at: z.iso.datetime({ offset: true }).nullable(),
  attempted_at: z.iso.datetime({ offset: true }),
});
export type WebhookAttemptView = z.infer<typeof WebhookAttemptView>;

export const WebhookCircuitView = z.object({
  state: WebhookCircuitState.describe("open: deliveries to the endpoint wait without using attempts; half_open: one probe is out; closed: sending again"),
  endpoint: z.string().describe("The webhook URL's origin (scheme, host and port): the circuit is the tenant's for that endpoint, shared by its requests sent there"),
  failures: z.number().int().min(0).describe("Failing attempts in a row that opened it; 0 once closed"),
  next_probe_at: z.iso.datetime({ offset: true }).nullable().describe("Open: when the next probe may go"),
  changed_at: z.iso.datetime({ offset: true }),
});
export type WebhookCircuitView = z.infer<typeof WebhookCircuitView>;

export const WebhookLogs = z.object({
  request_id: z.uuid(),
  attempts: z.array(WebhookAttemptView).describe("Oldest first"),
  // Optional: a gateway from before circuit breaking answers without it (read as null).
  circuit: z
    .array(WebhookCircuitView)
    .nullable()
    .optional()
    .describe("Changes of the endpoint's circuit breaker that this request's delivery made, oldest first; null when they cannot be read just now (the message broker is away), the attempts being answered all the same"),
});
export type WebhookLogs = z.infer<typeof WebhookLogs>;
