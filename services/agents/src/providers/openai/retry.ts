// Retries of one provider call with p-retry: exponential backoff with jitter, at least
// as long as the server's Retry-After, only for errors that say a retry can help, and
// never past the caller's deadline.
import pRetry from "p-retry";
import { ProviderError } from "../provider.ts";

export type RetrySettings = {
  /** Retries after the first attempt (0: one attempt). */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
};

export type RetryNotice = { attempt: number; error: ProviderError; delayMs: number };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, throws a non-retryable ProviderError, or runs out of
 * retries (then the last error is thrown, still marked retryable, so the task is redelivered).
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  settings: RetrySettings,
  signal: AbortSignal,
  onRetry: (notice: RetryNotice) => void = () => undefined,
): Promise<T> {
  return pRetry(attempt, {
    retries: settings.retries,
    minTimeout: settings.minDelayMs,
    maxTimeout: settings.maxDelayMs,
    factor: 2,
    randomize: true,
    signal,
    shouldRetry: ({ error }) => error instanceof ProviderError && error.retryable,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retryDelay }) => {
      if (!(error instanceof ProviderError) || !error.retryable || retriesLeft === 0) return;
      // p-retry waits `retryDelay` after this; top it up to the server's Retry-After.
      const extra = Math.max(0, (error.retryAfterMs ?? 0) - retryDelay);
      onRetry({ attempt: attemptNumber, error, delayMs: retryDelay + extra });
      if (extra > 0) await sleep(extra, signal);
    },
  });
}
