// The webhook service's pure core: payload, response meaning, retry schedule and chains.
export { webhookPayload, webhookIdOf } from "./payload.ts";
export { classify, retryAfterMs, type AttemptOutcome, type AttemptResponse } from "./outcome.ts";
export { DEFAULT_RETRY_SCHEDULE, DEFAULT_RETRY_SCHEDULE_MS, chainDeadlineMs, decide, doublingSchedule, parseRetrySchedule, scheduledWaitMs, type Decision, type RetryPolicy } from "./schedule.ts";
export { nextStep, type Chain } from "./chain.ts";
export { endpointOf, sendSlots, type SendSlots } from "./send-slots.ts";
export { CLOSED, afterAttempt, endpointFailing, gate, type Circuit, type CircuitPolicy, type CircuitState } from "./circuit.ts";
