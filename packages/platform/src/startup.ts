// Start-up against a broker that may not be there yet: no NATS server listening, a
// JetStream cluster without a meta leader, replicas still being placed. Such errors make a
// start-up step wait and try again, with backoff and one log line per retry, while the
// probes say why the service is not ready; any other error is a real failure of the step.
import { JetStreamApiError } from "@nats-io/jetstream";
import pRetry from "p-retry";
import type { Logger } from "./logger.ts";

/** JetStream API errors that mean "the cluster is not ready yet", besides every 503. */
const CLUSTER_NOT_READY = new Set([
  10004, // incomplete results
  10005, // no suitable peers for placement: not every replica's server has joined yet
  10007, // JetStream cluster not assigned to this server
  10008, // JetStream system temporarily unavailable: no meta leader
  10009, // JetStream cluster can not handle request: not the leader
  10023, // insufficient resources
  10118, // stream is offline
  10119, // consumer is offline
]);

// nats.js error names (compared by name: the classes live in several packages): no server
// answers, a request timed out, JetStream's API had no responder; and ensureStreams's: a
// stream this NATS user may not create is not there yet (nats.ts).
const UNAVAILABLE = new Set(["ConnectionError", "TimeoutError", "NoResponders", "JetStreamNotEnabled", "StreamAwaitedError"]);

/** True when `err` (or an error it wraps) says NATS or JetStream is not available yet, rather than that something is wrong. */
export function isNatsUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof JetStreamApiError) return e.status === 503 || CLUSTER_NOT_READY.has(e.code);
    // AbortSignal.timeout() rejects with a DOMException named TimeoutError: not NATS.
    if (UNAVAILABLE.has(e.name) && !(e instanceof DOMException)) return true;
  }
  return false;
}

function describe(err: Error): string {
  return err instanceof JetStreamApiError ? `${err.message} (${err.code})` : `${err.name}: ${err.message}`;
}

export type StartRetryOptions = {
  logger: Logger;
  /** Told why the step waits before each retry, e.g. to say so in /readyz. */
  onWaiting?: (reason: string) => void;
  signal?: AbortSignal;
  minDelayMs?: number;
  maxDelayMs?: number;
};

/**
 * Runs `run` until it succeeds, again after a growing pause (250 ms doubling to 5 s,
 * jittered) whenever it fails because NATS is unavailable; any other error rejects at once.
 * `run` must be safe to repeat, as every ensure-style set-up is.
 */
export function retryWhileNatsUnavailable<T>(step: string, run: () => Promise<T>, opts: StartRetryOptions): Promise<T> {
  return pRetry(run, {
    retries: Infinity,
    minTimeout: opts.minDelayMs ?? 250,
    maxTimeout: opts.maxDelayMs ?? 5_000,
    factor: 2,
    randomize: true,
    signal: opts.signal,
    shouldRetry: ({ error, attemptNumber, retryDelay }) => {
      if (!isNatsUnavailable(error)) return false;
      const reason = describe(error);
      opts.logger.warn({ step, attempt: attemptNumber, retry_in_ms: retryDelay, error: reason }, `${step}: NATS is not available yet; retrying`);
      opts.onWaiting?.(`${step}: ${reason}`);
      return true;
    },
  });
}
