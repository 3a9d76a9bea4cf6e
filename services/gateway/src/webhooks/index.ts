// The gateway's webhook slice: delivery logs, manual redelivery, inbound and test receivers.
export { webhookRoutes, type WebhookRouteDeps, type WebhookRouteOptions } from "./routes.ts";
export { refuseForbiddenWebhook } from "./target.ts";
export { WebhookAttemptView, WebhookLogs, RedeliveryAccepted, CallbackTestResult } from "./schema.ts";
