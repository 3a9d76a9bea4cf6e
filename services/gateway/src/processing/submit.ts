// Submitting a request: the I/O shell around the pure parts. Records the request's
// RequestAccepted in the event stream itself (never writes Postgres), deduplicated by
// request id, before it answers: from then on every read, on any replica, finds the
// request. Then it waits for the request's end event when the client is willing to wait.
import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { acceptSubmission, isEndEvent, messageIds, type ChorusEvent, type Submitted, type RequestView, type Topology } from "@chorus/contracts";
import { isStoreFull, publishEvent, type JetStreamClient, type JetStreamManager, type Logger, type NatsConnection } from "@chorus/platform";
import { sealSecret, type WebhookKeys } from "@chorus/webhook-security";
import { acceptsDurable, type AcceptsDurable } from "../broker/accepts.ts";
import type { BrokerState } from "../broker/state.ts";
import { erasedAt, lastEventOf, recordedEvents } from "../broker/lookup.ts";
import { watchRequest, type RequestWatch } from "../broker/watch.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, storeFull, unavailable } from "../errors.ts";
import { applyEvent, submittedView, viewFromEvents } from "../views/fold.ts";
import { refuseForbiddenWebhook } from "../webhooks/target.ts";
import { duplicateSubmission, fingerprintOf, isOtherBody, keyReused, priorSubmission, requestIdForKey } from "./idempotency.ts";
import type { ProcessInput } from "./schema.ts";

export type SubmitDeps = {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  broker: BrokerState;
  /** Ensures the durable that hands accepted requests to the orchestrator (see broker/accepts.ts). */
  ensureAccepts: AcceptsDurable;
  /** Each agent's deadline, recorded on the request when it is accepted (AGENT_TIMEOUT_MS). */
  agentTimeoutMs: number;
  /** The keyring that seals webhook secrets, and the fingerprint's HMAC key. */
  webhookKeys: WebhookKeys;
  /** Skips the SSRF check of webhook URLs (WEBHOOK_ALLOW_PRIVATE); unset means checked. */
  allowPrivateWebhooks?: boolean;
  /** Ports a webhook URL may name (WEBHOOK_ALLOWED_PORTS); unset means 80 and 443. */
  allowedWebhookPorts?: readonly number[] | undefined;
};

/** What submitting needs, taken from the gateway's deps: the same for REST and gRPC. */
export function submitDepsOf(deps: GatewayDeps, broker: BrokerState): SubmitDeps {
  return {
    nc: deps.nc,
    js: deps.js,
    jsm: deps.jsm,
    topology: deps.topology,
    broker,
    ensureAccepts: deps.ensureAccepts ?? acceptsDurable(deps.jsm, deps.topology),
    agentTimeoutMs: deps.settings.agentTimeoutMs,
    webhookKeys: deps.webhookKeys,
    allowPrivateWebhooks: deps.settings.webhookAllowPrivate ?? false,
    allowedWebhookPorts: deps.settings.webhookAllowedPorts,
  };
}

/** On whose behalf a request is submitted: its tenant, and the key that submitted it (null without keys). */
export type Submitter = { tenantId: string; keyId: string | null };

export type Submission = {
  submitter: Submitter;
  input: ProcessInput;
  idempotencyKey: string | undefined;
  correlationId: string;
  /** 0 answers at once with what is known; otherwise wait up to this long for the end. */
  waitMs: number;
  /** Ends the wait early (client gone, gateway stopping). */
  signal: AbortSignal;
  /** The request's logger; submit adds the request id to it. */
  log: Logger;
  /** Called as soon as the request id is known, so logs and errors can name it. */
  onRequestId(requestId: string): void;
};

export type SubmitOutcome = {
  /** ended: the view is final (200); pending: still running (202). */
  kind: "ended" | "pending";
  view: RequestView;
  /** True when this answers an earlier submission with the same Idempotency-Key. */
  replayed: boolean;
};

/** NATS failures are 503s (a full event store says so); a payload that fails its own schema is a bug and stays a 500. */
async function onBroker<T>(requestId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError || err instanceof ZodError) throw err;
    if (isStoreFull(err)) throw storeFull(err, requestId);
    throw unavailable("the message broker", err, requestId);
  }
}

export async function submitRequest(deps: SubmitDeps, s: Submission): Promise<SubmitOutcome> {
  const { topology: t } = deps;
  const requestId = s.idempotencyKey ? requestIdForKey(s.submitter.tenantId, s.idempotencyKey) : randomUUID();
  s.onRequestId(requestId);
  const log = s.log.child({ request_id: requestId });
  if (!deps.broker.isUp()) throw unavailable("the message broker", undefined, requestId);
  if (s.input.webhook) await refuseForbiddenWebhook(s.input.webhook.url, { allowPrivate: deps.allowPrivateWebhooks ?? false, allowedPorts: deps.allowedWebhookPorts });
  const fingerprint = fingerprintOf(s.input, deps.webhookKeys.fingerprintKey);
  const now = new Date().toISOString();
  const submitted = submittedView(requestId, s.input, now);

  // Listening before anything is checked or published: no event of this request is missed.
  const watch = watchRequest(deps.nc, t, requestId, log, { accepts: s.idempotencyKey !== undefined });
  try {
    // Read together: a key whose request was erased names nothing any more, and running a new request under that id would bring its data back.
    const [recorded, erased] = s.idempotencyKey
      ? await onBroker(requestId, () => Promise.all([recordedEvents(deps.jsm, t, requestId), erasedAt(deps.jsm, t, requestId, s.submitter.tenantId)]))
      : [undefined, undefined];
    if (recorded?.length === 0 && erased) throw new ApiError("Gone", `the request this Idempotency-Key named was erased at ${erased}; submit with another key`, { requestId });
    const prior = recorded ? priorSubmission(recorded, fingerprint, submitted) : undefined;
    if (prior?.ended) return { kind: "ended", view: prior.view, replayed: true };
    const known = prior ? { view: prior.view, replayed: true } : await publishSubmission(deps, s, { requestId, fingerprint, now, view: submitted, log });
    const outcome = await waitForEnd(watch, s, fingerprint, known);
    // A wait that ran out answers with the progress so far, read from the stream: the watch sees only the end.
    if (outcome.kind === "pending" && s.waitMs > 0 && !s.signal.aborted) {
      const recorded = await recordedEvents(deps.jsm, t, requestId).catch(() => [] as ChorusEvent[]);
      // The end may have been stored since the wait ran out: then it is the answer.
      const end = recorded.find(isEndEvent);
      if (end) return { kind: "ended", view: applyEvent(outcome.view, end) ?? outcome.view, replayed: outcome.replayed };
      return { ...outcome, view: viewFromEvents(recorded, outcome.view) ?? outcome.view };
    }
    return outcome;
  } finally {
    watch.close();
  }
}

type Known = { view: RequestView; replayed: boolean };

/** Records the request's RequestAccepted, deduplicated by request id: a duplicate is an earlier submission under the same key. */
async function publishSubmission(
  deps: SubmitDeps,
  s: Submission,
  at: { requestId: string; fingerprint: string; now: string; view: RequestView; log: Logger },
): Promise<Known> {
  const { requestId, fingerprint, now, log } = at;
  const submission: Submitted = {
    request_id: requestId,
    tenant_id: s.submitter.tenantId,
    correlation_id: s.correlationId,
    submitted_by_key: s.submitter.keyId,
    data: {
      text: s.input.text,
      orchestration_mode: s.input.orchestration_mode,
      agents: s.input.agents,
      // Bound to this request, tenant and URL: copied onto another request or sent elsewhere, it does not open.
      webhook: s.input.webhook ? { url: s.input.webhook.url, secret: sealSecret(deps.webhookKeys.ring, s.input.webhook.secret, { requestId, tenantId: s.submitter.tenantId, url: s.input.webhook.url }) } : null,
      idempotency_key: s.idempotencyKey ?? null,
      fingerprint,
    },
  };
  const accepted = acceptSubmission(submission, { id: randomUUID(), occurredAt: now, agentTimeoutMs: deps.agentTimeoutMs });
  const ack = await onBroker(requestId, async () => {
    await deps.ensureAccepts();
    return publishEvent(deps.js, deps.topology, accepted, { msgID: messageIds.accepted(requestId) });
  });
  if (ack.duplicate) {
    const stored = await onBroker(requestId, () => lastEventOf(deps.jsm, deps.topology, requestId, "accepted"));
    const view = duplicateSubmission(stored, fingerprint, at.view);
    log.info("idempotent retry of a submitted request");
    return { view, replayed: true };
  }
  log.info({ seq: ack.seq }, "request accepted");
  return { view: applyEvent(at.view, accepted) ?? at.view, replayed: false };
}

/** Waits up to s.waitMs for the request's end; an accept of another body under the same key ends the wait as 422. */
async function waitForEnd(watch: RequestWatch, s: Submission, fingerprint: string, known: Known): Promise<SubmitOutcome> {
  const { view, replayed } = known;
  const stop = (e: ChorusEvent) => isEndEvent(e) || (s.idempotencyKey !== undefined && e.type === "RequestAccepted" && isOtherBody(e, fingerprint));
  const last = s.waitMs > 0 ? await watch.until(["RequestAccepted", "RequestCompleted", "RequestFailed"], stop, s.waitMs, s.signal) : undefined;
  if (last?.type === "RequestAccepted") throw keyReused(last.request_id);
  // The end event carries every agent's result: folding the events before it would change nothing.
  if (last && isEndEvent(last)) return { kind: "ended", view: applyEvent(view, last) ?? view, replayed };
  // A 202 answers "not ended yet": an end the shared subscription heard in the same socket
  // read as the accept's ack (before this code resumed) is left to the reads that follow.
  return { kind: "pending", view: viewFromEvents(watch.events().filter((e) => !isEndEvent(e)), view) ?? view, replayed };
}
