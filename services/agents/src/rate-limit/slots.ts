// Bounded concurrency in this process: at most `n` provider calls in flight at once,
// whichever path (task consumer or gRPC) they come from; the rest wait their turn.
import type { RateLimiter } from "./limiter.ts";

export function withSlots(n: number, inner: RateLimiter): RateLimiter {
  let free = Math.max(1, n);
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const slot = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      if (free > 0) {
        free -= 1;
        return resolve();
      }
      const onAbort = () => {
        const i = waiting.indexOf(grant);
        if (i !== -1) waiting.splice(i, 1);
        reject(signal.reason as Error);
      };
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      waiting.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });

  return {
    async acquire(tokens, signal) {
      await slot(signal);
      try {
        const grant = await inner.acquire(tokens, signal);
        let released = false;
        return {
          async settle(actual) {
            if (!released) {
              released = true;
              release();
            }
            await grant.settle(actual);
          },
        };
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
