// Whether a manual webhook retry may start a new delivery chain: only once the request's
// newest chain has ended (delivered, or given up) or has stalled. While a chain is still
// due, a retry would start a second one beside it, so it is refused, saying when the
// chain's next attempt is due. Pure: the request's facts and the time in, a verdict out.

/** The request's end and its newest webhook facts, with their events-stream sequences. */
export type DeliveryFacts = {
  end: { seq: number; occurredAt: string };
  lastAttempt?: { seq: number; attempt: number; occurredAt: string; nextAttemptAt: string | null };
  /** The newest WebhookDelivered or WebhookExhausted. */
  lastOutcome?: { seq: number };
};

export type RetryVerdict =
  /** What the RedeliverWebhook command carries: the chain numbers its attempts from afterAttempt + 1. */
  | { kind: "start"; afterSeq: number; afterAttempt: number }
  | { kind: "pending"; nextAttemptAt: string | null; message: string };

/**
 * A chain whose due attempt is this late has stalled: the webhook service has been away
 * that long, or the chain's message was dead-lettered. Well past the longest legitimate
 * lateness (an attempt's WEBHOOK_TIMEOUT, at most 10 minutes, plus the ack wait before a
 * dead replica's message comes back). A stalled end chain that wakes up stands down.
 */
export const STALLED_AFTER_MS = 15 * 60_000;

export function retryVerdict(facts: DeliveryFacts, nowMs: number, stalledAfterMs = STALLED_AFTER_MS): RetryVerdict {
  const { end, lastAttempt, lastOutcome } = facts;
  const start: RetryVerdict = {
    kind: "start",
    afterSeq: Math.max(end.seq, lastAttempt?.seq ?? 0, lastOutcome?.seq ?? 0),
    afterAttempt: lastAttempt?.attempt ?? 0,
  };
  // An outcome after the newest attempt ends the newest chain.
  if (lastOutcome && lastOutcome.seq > (lastAttempt?.seq ?? 0)) return start;
  const dueAt = lastAttempt ? (lastAttempt.nextAttemptAt ?? lastAttempt.occurredAt) : end.occurredAt;
  if (nowMs - Date.parse(dueAt) > stalledAfterMs) return start;
  const after = "; ask again once this delivery has ended";
  if (!lastAttempt) return { kind: "pending", nextAttemptAt: null, message: `this webhook's first delivery is under way${after}` };
  const next = lastAttempt.attempt + 1;
  if (lastAttempt.nextAttemptAt === null) {
    return { kind: "pending", nextAttemptAt: null, message: `attempt ${lastAttempt.attempt} of this webhook was just made and its outcome is being recorded${after}` };
  }
  const when = Date.parse(lastAttempt.nextAttemptAt) > nowMs ? `is scheduled for ${lastAttempt.nextAttemptAt}` : `was due at ${lastAttempt.nextAttemptAt} and is under way`;
  return {
    kind: "pending",
    nextAttemptAt: lastAttempt.nextAttemptAt,
    message: `a retry of this webhook is already pending: attempt ${next} ${when}${after}`,
  };
}
