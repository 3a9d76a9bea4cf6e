// The webhook service's pure core: payload, response meaning, retry schedule and chains.
export { webhookPayload, webhookIdOf, type WebhookPayload } from "./payload.ts";
export { classify, retryAfterMs, type AttemptOutcome, type AttemptResponse } from "./outcome.ts";
export { backoffMs, decide, type Decision, type RetryPolicy } from "./schedule.ts";
export { nextStep, type Chain, type NextStep, type WebhookFacts } from "./chain.ts";
