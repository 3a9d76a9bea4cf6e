// One delivery attempt, the I/O shell around the pure core: read where the chain stands,
// pass the endpoint's circuit, sign, send, record the attempt as an event, and say when
// the next one is due. The JetStream message being handled IS the chain's schedule: a
// retry is a nak with delay, so a restart between attempts loses nothing. A delivery whose
// endpoint's circuit is open is naked to wait too, but records nothing: it is no attempt.
import { randomUUID } from "node:crypto";
import type { ChorusEvent, RequestEndEvent } from "@chorus/contracts";
import { endpointGroup, isWrongLastSequence, lastRequestEvent, newestWebhookFacts, publishEvent, recordWebhookDeliveryLatency, type HandleResult, type Logger, type StreamClients } from "@chorus/platform";
import { SecretUnsealError, openSecret, signatureHeaders, type SecretKeyring } from "@chorus/webhook-security";
import type { CircuitChange, CircuitStore, Passage } from "./circuit-store.ts";
import { chainDeadlineMs, classify, decide, endpointFailing, endpointOf, nextStep, webhookIdOf, webhookPayload, type AttemptOutcome, type Chain, type Decision, type RetryPolicy, type SendSlots } from "./delivery/index.ts";
import { sendWebhook } from "./send.ts";
import { redeliveryPending } from "./stream-reads.ts";

export type AttemptDeps = StreamClients & {
  /** The gateway's keyring (WEBHOOK_SECRET_KEYS or WEBHOOK_SECRET_KEY): opens secrets sealed with any of its keys. */
  keyring: SecretKeyring;
  policy: RetryPolicy;
  /** The whole exchange of one attempt (WEBHOOK_TIMEOUT). */
  timeoutMs: number;
  /** Making the connection (WEBHOOK_CONNECT_TIMEOUT_MS); default in send.ts. */
  connectTimeoutMs?: number;
  /** Bytes of an answer's body read at most (WEBHOOK_MAX_RESPONSE_BYTES); default in send.ts. */
  maxResponseBytes?: number;
  allowPrivate: boolean;
  /** Ports a webhook URL may name unless allowPrivate (WEBHOOK_ALLOWED_PORTS); unset means 80 and 443. */
  allowedPorts?: readonly number[];
  /** Sends at once, in all and per endpoint (see send-slots.ts); none: no limit beyond the consumer's. */
  slots?: SendSlots;
  /** Every endpoint's circuit breaker, shared by the replicas; none: no circuit breaking. */
  circuits?: CircuitStore;
  clock?: () => Date;
  random?: () => number;
};

/** How the delivery's message is kept from being redelivered while its send waits for a slot. */
export type Waiting = { working(): void; everyMs: number };

export type ChainContext = Chain & { correlationId: string };

const attemptMessageIds = {
  attempted: (requestId: string, chain: string, attempt: number) => `${requestId}:webhook:${chain}:attempt:${attempt}`,
  finished: (requestId: string, chain: string) => `${requestId}:webhook:${chain}:finished`,
  circuit: (requestId: string, change: CircuitChange) => `${requestId}:webhook:circuit:${change.from.state}:${change.from.untilMs}:${change.to.state}:${change.to.untilMs}`,
};

/** A wait for an open circuit ends up to this much after the probe is due, so the waiting deliveries do not all ask at once. */
const CIRCUIT_WAIT_SPREAD_MS = 1_000;

/** Times an attempt is renumbered when another chain recorded one meanwhile (it should never be needed). */
const RENUMBER_LIMIT = 5;

export async function attemptDelivery(deps: AttemptDeps, end: RequestEndEvent, chain: ChainContext, waiting?: Waiting): Promise<HandleResult> {
  const webhook = end.data.webhook;
  if (!webhook) return;
  const { jsm, topology: t } = deps;
  const clock = deps.clock ?? (() => new Date());
  const requestId = end.request_id;
  const facts = await newestWebhookFacts(jsm, t, requestId);
  const pending = chain.manual || (facts.lastOutcome?.seq ?? 0) > chain.afterSeq ? false : await redeliveryPending(jsm, t, requestId);
  const step = nextStep(chain, facts, pending);
  const endpoint = endpointOf(webhook.url);
  // One circuit per tenant and endpoint: on a receiver many tenants share (a chat service's
  // webhook host, say), one tenant's broken URL must not stop the others' deliveries.
  const circuit = `${end.tenant_id} ${endpoint}`;
  const log = deps.logger.child({ request_id: requestId, correlation_id: chain.correlationId, chain: chain.key, endpoint, endpoint_group: endpointGroup(endpoint) });
  if (step.kind === "over") {
    log.info("a delivery chain ended after this one was asked for; nothing to do");
    return;
  }
  if (step.kind === "superseded") {
    log.warn("a manual redelivery took this stalled chain over; it stops here");
    return;
  }
  // An erased request's data goes nowhere more, and nothing of it is recorded again (the
  // projector's erasure sweep would have to find it): asked before the send and after it.
  const erased = async () => (await lastRequestEvent(jsm, t, requestId, "erased")) !== undefined;
  if (await erased()) {
    log.info("the request was erased: its webhook is not sent");
    return;
  }
  const webhookId = webhookIdOf(end);

  const record = (event: Omit<ChorusEvent, "id" | "request_id" | "tenant_id" | "occurred_at" | "correlation_id" | "version">, msgID: string, expectLastSubjectSequence?: number) =>
    publishEvent(
      deps.js,
      t,
      {
        ...event,
        id: randomUUID(),
        version: 1,
        request_id: requestId,
        tenant_id: end.tenant_id,
        occurred_at: clock().toISOString(),
        correlation_id: chain.correlationId,
      } as ChorusEvent,
      { msgID, ...(expectLastSubjectSequence !== undefined ? { expectLastSubjectSequence } : {}) },
    );
  const recordCircuit = async (change: CircuitChange | null) => {
    if (!change) return;
    const { to } = change;
    const nextProbeAt = to.state === "open" ? new Date(to.untilMs).toISOString() : null;
    log.warn({ from: change.from.state, to: to.state, failures: to.failures, next_probe_at: nextProbeAt }, "webhook endpoint circuit changed");
    await record(
      { type: "WebhookCircuitChanged", data: { webhook_id: webhookId, endpoint, state: to.state, failures: to.state === "closed" ? 0 : to.failures, next_probe_at: nextProbeAt } },
      attemptMessageIds.circuit(requestId, change),
    );
  };
  const finish = (decision: Exclude<Decision, { kind: "retry" }>, attempts: number) =>
    decision.kind === "delivered"
      ? record({ type: "WebhookDelivered", data: { webhook_id: webhookId, attempt: attempts, status_code: decision.statusCode } }, attemptMessageIds.finished(requestId, chain.key))
      : record({ type: "WebhookExhausted", data: { webhook_id: webhookId, attempts, reason: decision.reason, cause: decision.cause } }, attemptMessageIds.finished(requestId, chain.key));

  // The last attempt was recorded but its outcome was not (the handler died in between).
  if (step.chainAttempt > deps.policy.maxRetries + 1) {
    await finish({ kind: "exhausted", reason: `no success after ${step.chainAttempt - 1} attempts`, cause: "retries_used_up" }, step.attempt - 1);
    return;
  }

  let secret: string;
  try {
    secret = openSecret(deps.keyring, webhook.secret, { requestId, tenantId: end.tenant_id, url: webhook.url });
  } catch (err) {
    if (!(err instanceof SecretUnsealError)) throw err;
    // Key ids are not secret; naming the missing one tells an operator which key to put back.
    log.error({ reason: err.message }, "webhook secret cannot be opened with this service's keyring (WEBHOOK_SECRET_KEYS / WEBHOOK_SECRET_KEY)");
    await finish({ kind: "exhausted", reason: `the webhook secret cannot be opened: ${err.message}`, cause: "secret_unusable" }, step.attempt - 1);
    return;
  }

  const body = JSON.stringify(webhookPayload(end));
  // A slot of its own endpoint's share: a slow receiver delays only its own deliveries.
  const release = deps.slots ? await waitForSlot(deps.slots, endpoint, end.tenant_id, waiting) : () => undefined;
  let outcome: AttemptOutcome;
  let durationMs: number;
  let circuitChange: CircuitChange | null;
  try {
    // Asked with the slot in hand, right before sending: deliveries that queued for a slot
    // while the circuit opened wait instead of each spending an attempt on a dead endpoint.
    const passage = await circuitPassage(deps.circuits, circuit, clock().getTime(), log);
    if (passage.kind === "wait") {
      const inMs = Math.max(0, passage.untilMs - clock().getTime()) + Math.round((deps.random ?? Math.random)() * CIRCUIT_WAIT_SPREAD_MS);
      // Waiting uses no attempts, so only time ends it: a chain whose wait would outlast its
      // deadline ends now (exhausted, retried by hand), and its message leaves the consumer's
      // pending set instead of holding it for good. Only circuit waits meet the deadline: a
      // chain's scheduled retries and its first attempt (after an outage, say) never do.
      const deadlineMs = chainDeadlineMs(deps.policy);
      if (clock().getTime() + inMs - Date.parse(chain.startedAt) > deadlineMs) {
        const hours = (deadlineMs / 3_600_000).toFixed(1);
        await finish({ kind: "exhausted", reason: `its endpoint's circuit stayed open past the chain's deadline (${hours} h, WEBHOOK_CHAIN_DEADLINE_MS)`, cause: "expired" }, step.attempt - 1);
        return;
      }
      log.debug({ retry_in_ms: inMs }, "endpoint circuit open: waiting, no attempt made");
      return { retryInMs: inMs };
    }
    // Best effort, as after the send: a probe that cannot be recorded still goes out, or the endpoint would stay shut.
    await recordCircuit(passage.probe).catch((err: unknown) => log.warn({ err }, "the circuit's probe could not be recorded; probing anyway"));
    // Signed when sent, not when queued: the receiver checks the timestamp's age.
    const headers = signatureHeaders(secret, webhookId, Math.floor(clock().getTime() / 1000), body);
    const started = performance.now();
    const response = await sendWebhook(webhook.url, body, headers, {
      timeoutMs: deps.timeoutMs,
      connectTimeoutMs: deps.connectTimeoutMs,
      maxResponseBytes: deps.maxResponseBytes,
      allowPrivate: deps.allowPrivate,
      allowedPorts: deps.allowedPorts,
    });
    durationMs = Math.round(performance.now() - started);
    outcome = classify(response, clock().getTime());
    // Settled before the slot is given up, so the next send to the endpoint is gated on this outcome.
    circuitChange = await settleCircuit(deps.circuits, circuit, endpointFailing(outcome), clock().getTime(), log);
  } finally {
    release();
  }
  // Best effort: a failed read here must not run the handler again, which would send again
  // (the projector's erasure sweep deletes an attempt recorded after an erasure).
  if (await erased().catch(() => false)) {
    log.info("the request was erased while its webhook was being sent: nothing is recorded");
    return;
  }
  const decision = decide(outcome, step.chainAttempt, deps.policy, (deps.random ?? Math.random)());

  const statusCode = outcome.kind === "refused" ? null : outcome.statusCode;
  const error = outcome.kind === "failed" || outcome.kind === "refused" ? outcome.error : outcome.kind === "gone" ? "HTTP 410 Gone" : null;
  const nextAttemptAt = decision.kind === "retry" ? new Date(clock().getTime() + decision.inMs).toISOString() : null;

  // Recorded only on top of the attempt it was numbered after, so no two attempts of a
  // request share a number even if two chains ever overlapped; if one did, take the next.
  let attempt = step.attempt;
  let after = facts.lastAttempt?.seq ?? 0;
  for (let tries = 1; ; tries++) {
    try {
      await record(
        { type: "WebhookAttempted", data: { webhook_id: webhookId, attempt, url: webhook.url, status_code: statusCode, duration_ms: durationMs, error, next_attempt_at: nextAttemptAt } },
        attemptMessageIds.attempted(requestId, chain.key, attempt),
        after,
      );
      break;
    } catch (err) {
      if (!isWrongLastSequence(err) || tries >= RENUMBER_LIMIT) throw err;
      const now = (await newestWebhookFacts(jsm, t, requestId)).lastAttempt;
      log.warn({ attempt, recorded: now?.attempt }, "another attempt was recorded meanwhile; renumbering this one");
      attempt = (now?.attempt ?? 0) + 1;
      after = now?.seq ?? 0;
    }
  }
  // After the attempt that made it, in the request's log. Best effort, as the settling was:
  // a failure here would run the handler again, and the attempt just recorded would be followed by another at once.
  await recordCircuit(circuitChange).catch((err: unknown) => log.warn({ err }, "the circuit change could not be recorded; the circuit itself has changed"));
  log.info({ attempt, chain_attempt: step.chainAttempt, status_code: statusCode, duration_ms: durationMs, error, decision: decision.kind, next_attempt_at: nextAttemptAt }, "webhook attempt");

  if (decision.kind === "retry") return { retryInMs: decision.inMs };
  await finish(decision, attempt);
  // From the end to the receiver's answer, for the end's own chain: a manual one starts when asked.
  if (decision.kind === "delivered" && !chain.manual) recordWebhookDeliveryLatency((clock().getTime() - Date.parse(end.occurred_at)) / 1000, endpoint);
}

/**
 * Whether the endpoint's circuit lets this delivery send now. Fails open: with the circuit
 * store unreachable (its KV bucket unavailable) a delivery is sent as without circuit
 * breaking, rather than every endpoint's deliveries waiting on the store.
 */
async function circuitPassage(circuits: CircuitStore | undefined, endpoint: string, nowMs: number, log: Logger): Promise<Passage> {
  if (!circuits) return { kind: "send", probe: null };
  try {
    return await circuits.pass(endpoint, nowMs);
  } catch (err) {
    log.warn({ err }, "the endpoint circuit could not be read; sending as if it were closed");
    return { kind: "send", probe: null };
  }
}

/**
 * Tells the circuit an attempt's outcome; the change it made, if any. Best effort: the
 * request was sent, and a failure here must not have the handler run again and send it
 * again, so a lost outcome is logged (the circuit counts one failure fewer, or closes later).
 */
async function settleCircuit(circuits: CircuitStore | undefined, endpoint: string, failing: boolean | null, nowMs: number, log: Logger): Promise<CircuitChange | null> {
  if (!circuits || failing === null) return null;
  try {
    return await circuits.settle(endpoint, failing, nowMs);
  } catch (err) {
    log.warn({ err, failing }, "the endpoint's circuit could not be told this attempt's outcome");
    return null;
  }
}

/** Waits for a send slot, heartbeating the delivery's message meanwhile so it is not handed to another replica. */
async function waitForSlot(slots: SendSlots, endpoint: string, tenant: string, waiting: Waiting | undefined): Promise<() => void> {
  const heartbeat = waiting ? setInterval(() => waiting.working(), waiting.everyMs) : undefined;
  try {
    return await slots.acquire(endpoint, tenant);
  } finally {
    clearInterval(heartbeat);
  }
}
