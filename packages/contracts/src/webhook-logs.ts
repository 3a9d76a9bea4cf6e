// GET /api/v1/webhook-logs/{id}: a request's webhook delivery attempts, as the gateway
// answers them and clients (the chorus CLI) read them.
import { z } from "zod";

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

export const WebhookLogs = z.object({
  request_id: z.uuid(),
  attempts: z.array(WebhookAttemptView).describe("Oldest first"),
});
export type WebhookLogs = z.infer<typeof WebhookLogs>;
