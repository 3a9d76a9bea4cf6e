// The webhook slice's routes, one job per file: the delivery log of a request, a manual
// redelivery, the signed inbound endpoint that starts a request from another system, and
// a test receiver for trying webhooks.
import { Router } from "@koa/router";
import type { Topology } from "@chorus/contracts";
import type { BrokerState } from "../broker/state.ts";
import type { DatabaseLink } from "../database/link.ts";
import type { Access } from "../auth/index.ts";
import { guard } from "../http/guard.ts";
import type { GatewayState } from "../http/state.ts";
import type { SubmitDeps } from "../processing/submit.ts";
import { WEBHOOK_TOLERANCE_SECONDS } from "@chorus/webhook-security";
import { acceptedWebhookIds } from "./accepted-ids.ts";
import { inboundWebhookRoute } from "./inbound-route.ts";
import { webhookLogsRoute } from "./logs-route.ts";
import { webhookRetryRoute } from "./retry-route.ts";
import { testReceiverRoute } from "./test-receiver-route.ts";

export type WebhookRouteDeps = SubmitDeps & { database: DatabaseLink; topology: Topology; broker: BrokerState };

export type WebhookRouteOptions = {
  maxTextLength: number;
  maxBodyBytes: number;
  /** Shared secret of POST /webhook/receive; without it that route answers 503. */
  inboundSecret: string | undefined;
  /** POST /webhook/receive also takes the legacy X-Webhook-Signature (WEBHOOK_INBOUND_ALLOW_LEGACY); unset means Standard Webhooks only. */
  allowLegacySignature?: boolean;
  clock?: () => Date;
  /** How late a delivery chain's due attempt may be before a manual retry may take over (default STALLED_AFTER_MS). */
  stalledAfterMs?: number;
};

export function webhookRoutes(deps: WebhookRouteDeps, access: Access, options: WebhookRouteOptions): Router<GatewayState> {
  const clock = options.clock ?? (() => new Date());
  const router = new Router<GatewayState>();
  router.get("/api/v1/webhook-logs/:request_id", guard(access, "requests:read"), webhookLogsRoute(deps));
  router.post("/api/v1/webhook/retry/:request_id", guard(access, "webhooks:write"), webhookRetryRoute(deps, { clock, stalledAfterMs: options.stalledAfterMs }));
  router.post(
    "/webhook/receive",
    inboundWebhookRoute(
      { ...deps, acceptedIds: acceptedWebhookIds(deps.js, deps.topology, WEBHOOK_TOLERANCE_SECONDS) },
      { ...options, allowLegacySignature: options.allowLegacySignature ?? false, tenantId: access.settings.defaultTenantId, clock },
    ),
  );
  router.post("/webhook/callback/test", testReceiverRoute({ maxBodyBytes: options.maxBodyBytes, clock }));
  return router;
}
