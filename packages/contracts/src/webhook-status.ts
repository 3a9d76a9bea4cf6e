// Where a request's webhook stands, read from its newest webhook fact: one rule for the
// read model (the projector) and for the views the gateway folds from events itself.
//   pending    no chain has ended since the newest began: the first attempt is under way,
//              a retry is due (next_attempt_at), or its outcome is being recorded;
//   delivered  the newest chain ended with a 2xx answer;
//   exhausted  the newest chain used up its retries (or its time) without one;
//   failed     the newest chain stopped early because retrying could not help: 410 Gone,
//              a refused (private) URL, or a secret that cannot be opened.
import type { EventOf } from "./events.ts";
import type { WebhookSummary } from "./results.ts";

export type WebhookStatus = WebhookSummary["status"];
export type WebhookEvent = EventOf<"WebhookAttempted" | "WebhookDelivered" | "WebhookExhausted">;

/** A 2xx answer without a transport error; anything else is a failed attempt. */
export function attemptSucceeded(attempt: { status_code: number | null; error: unknown }): boolean {
  return attempt.error === null && attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
}

/** An attempt the receiver took delivers; any other leaves its chain going until its outcome is recorded. */
export function attemptStatus(attempt: { status_code: number | null; error: unknown }): WebhookStatus {
  return attemptSucceeded(attempt) ? "delivered" : "pending";
}

/** Where the newest delivery chain stands if this fact is the newest. */
export function webhookStatusImpliedBy(event: WebhookEvent): WebhookStatus {
  switch (event.type) {
    case "WebhookAttempted":
      return attemptStatus(event.data);
    case "WebhookDelivered":
      return "delivered";
    case "WebhookExhausted":
      return event.data.cause === undefined || event.data.cause === "retries_used_up" || event.data.cause === "expired" ? "exhausted" : "failed";
    default: {
      const unknown: never = event;
      throw new Error(`not a webhook event: ${(unknown as { type: string }).type}`);
    }
  }
}
