// Where one delivery chain stands, from the request's newest webhook facts: over, stood
// down, or due to make an attempt, and that attempt's numbers. Attempts are numbered per
// request (1, 2, 3… across every chain, never reused); a chain's retry budget counts only
// its own recorded attempts — never the JetStream deliveries of its message, which also
// wake it for waits (an open circuit) that are not attempts. Stream sequences, not
// clocks, say what came after what.

/** The request's newest webhook facts, with their events-stream sequences. */
export type WebhookFacts = {
  /** The newest WebhookAttempted. */
  lastAttempt?: { seq: number; attempt: number };
  /** The newest WebhookDelivered or WebhookExhausted. */
  lastOutcome?: { seq: number };
};

/** A delivery chain: the end event's own, or one a RedeliverWebhook command asked for. */
export type Chain = {
  /** "end" or the command's id: part of the message ids the chain publishes. */
  key: string;
  manual: boolean;
  /** Sequence of the newest fact (or of the end event) before the chain began: an outcome after it ends the chain. */
  afterSeq: number;
  /** Attempts recorded before the chain began. */
  afterAttempt: number;
  /** When the chain was asked for (the end event's or the redelivery command's time): its deadline counts from here. */
  startedAt: string;
};

export type NextStep =
  /**
   * An outcome was recorded after the chain was asked for: it ran already (a redelivery
   * after a replica died before its ack), or another chain ran since. Send nothing.
   */
  | { kind: "over" }
  /** The end's chain stalled and a manual redelivery took over: it carries on, this one stops. */
  | { kind: "superseded" }
  /** `attempt` is the request-wide number; `chainAttempt` counts against this chain's budget. */
  | { kind: "attempt"; attempt: number; chainAttempt: number };

export function nextStep(chain: Chain, facts: WebhookFacts, redeliveryPending: boolean): NextStep {
  if (facts.lastOutcome && facts.lastOutcome.seq > chain.afterSeq) return { kind: "over" };
  if (!chain.manual && redeliveryPending) return { kind: "superseded" };
  const attempt = (facts.lastAttempt?.attempt ?? 0) + 1;
  return { kind: "attempt", attempt, chainAttempt: attempt - chain.afterAttempt };
}
