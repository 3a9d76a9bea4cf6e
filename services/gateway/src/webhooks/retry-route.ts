// POST /api/v1/webhook/retry/:request_id: a manual redelivery of an ended request's
// webhook, as a RedeliverWebhook command for the webhook service, once the previous
// delivery chain has ended (or stalled).
import { randomUUID } from "node:crypto";
import type { RouterMiddleware } from "@koa/router";
import { RedeliverWebhook, isEndEvent } from "@chorus/contracts";
import { isWrongLastSequence, newestWebhookFacts, publishValidated, type JetStreamClient } from "@chorus/platform";
import { ApiError, notFound, unavailable } from "../errors.ts";
import { callerOf } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseRequestId } from "../results/read.ts";
import { ownRecordedFacts, refuseErased, type OwnEventsDeps } from "./own-events.ts";
import { retryVerdict, type DeliveryFacts } from "./retry-verdict.ts";

export type RetryDeps = Omit<OwnEventsDeps, "tenantId"> & { js: JetStreamClient };

export type RetryOptions = {
  clock: () => Date;
  /** How late a delivery chain's due attempt may be before a manual retry may take over (default STALLED_AFTER_MS). */
  stalledAfterMs?: number;
};

export function webhookRetryRoute(deps: RetryDeps, options: RetryOptions): RouterMiddleware<GatewayState> {
  const { clock } = options;
  return async (ctx) => {
    const requestId = parseRequestId(ctx.params.request_id ?? "");
    bindRequestId(ctx, requestId);
    // The caller's tenant only: another tenant's request is not found.
    const caller = callerOf(ctx);
    // An erased request's events may still be there (the projector deletes them): its tombstone decides first.
    await refuseErased({ ...deps, tenantId: caller.tenantId }, requestId);
    const recorded = await ownRecordedFacts({ ...deps, tenantId: caller.tenantId }, requestId);
    if (recorded.length === 0) throw notFound(`no request ${requestId}`, requestId);
    const endFact = recorded.find((f) => isEndEvent(f.event));
    const end = endFact && isEndEvent(endFact.event) ? endFact.event : undefined;
    const accepted = recorded.find((f) => f.event.type === "RequestAccepted")?.event;
    const webhook = end?.data.webhook ?? (accepted?.type === "RequestAccepted" ? accepted.data.webhook : null);
    if (!webhook) throw new ApiError("NoWebhook", "this request has no webhook to redeliver", { requestId });
    if (!endFact || !end) throw new ApiError("NotEnded", "this request has not ended yet; its webhook is sent when it does", { requestId });
    // What the retry is decided on, read through the stream leader (the read model may lag).
    let facts: DeliveryFacts;
    try {
      facts = { end: { seq: endFact.seq, occurredAt: end.occurred_at }, ...(await newestWebhookFacts(deps.jsm, deps.topology, requestId)) };
    } catch (err) {
      throw unavailable("the message broker", err, requestId);
    }
    const verdict = retryVerdict(facts, clock().getTime(), options.stalledAfterMs);
    if (verdict.kind === "pending") throw new ApiError("WebhookRetryPending", verdict.message, { requestId });
    const id = randomUUID();
    let duplicate: boolean;
    try {
      // Of two retries at once, on any replicas, one is taken. Both decided on the same
      // newest fact, so they carry the same message id and the server keeps one, even if
      // its chain has already run; and the command is stored only while the request's
      // redelivery subject is empty, so no retry is taken while another one's chain runs.
      const ack = await publishValidated(
        deps.js,
        deps.topology.subjects.webhookRedeliver(requestId),
        RedeliverWebhook,
        {
          id,
          type: "RedeliverWebhook",
          version: 1,
          request_id: requestId,
          tenant_id: caller.tenantId,
          occurred_at: clock().toISOString(),
          correlation_id: ctx.state.correlationId,
          data: {
            reason: "manual",
            after_attempt: verdict.afterAttempt,
            after_seq: verdict.afterSeq,
            ...(caller.keyId ? { requested_by_key: caller.keyId } : {}),
          },
        },
        { msgID: `${requestId}:redeliver:after:${verdict.afterSeq}`, correlationId: ctx.state.correlationId, expectLastSubjectSequence: 0 },
      );
      duplicate = ack.duplicate;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw unavailable("the message broker", err, requestId);
      duplicate = true;
    }
    if (duplicate) throw new ApiError("WebhookRetryPending", "a manual retry of this webhook was already taken; ask again once its delivery has ended", { requestId });
    ctx.state.log.info({ after_attempt: verdict.afterAttempt }, "webhook redelivery requested");
    ctx.status = 202;
    ctx.body = { request_id: requestId, status: "redelivery_requested" };
  };
}
