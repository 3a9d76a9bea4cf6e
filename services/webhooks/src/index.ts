// @chorus/webhooks: signed webhook delivery with retries scheduled through JetStream.
export { startWebhooks, type Webhooks, type WebhooksDeps } from "./webhooks.ts";
export { DURABLES, durableSpecs } from "./consumers.ts";
export { attemptMessageIds } from "./attempt.ts";
export * from "./delivery/index.ts";
