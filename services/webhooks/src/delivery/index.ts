// The webhook service's pure core: payload, response meaning and retry schedule.
export { webhookPayload, webhookIdOf, type WebhookPayload } from "./payload.ts";
export { classify, retryAfterMs, type AttemptOutcome, type AttemptResponse } from "./outcome.ts";
export { backoffMs, decide, type Decision, type RetryPolicy } from "./schedule.ts";
