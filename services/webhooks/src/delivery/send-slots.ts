// How many webhook sends run at once in this process, and how many of them to one
// endpoint (an origin: scheme, host and port). A slow or dead endpoint can hold only its
// own slots, so deliveries to every other endpoint go on; when a slot frees, the
// endpoints waiting take turns (round robin), each endpoint's deliveries in arrival order.
// No I/O: the caller keeps its message alive while it waits.

export type SendSlots = {
  /** Resolves when a send to `endpoint` may start; call the returned function when it is over. */
  acquire(endpoint: string): Promise<() => void>;
  /** Sends running and waiting now, per endpoint (for logs and tests). */
  load(): { running: number; waiting: number };
};

export function sendSlots(limits: { total: number; perEndpoint: number }): SendSlots {
  const total = Math.max(1, limits.total);
  const perEndpoint = Math.max(1, limits.perEndpoint);
  let running = 0;
  const runningTo = new Map<string, number>();
  // Endpoints with waiters, in turn order; each with its waiters in arrival order.
  const waiting = new Map<string, Array<() => void>>();

  const start = (endpoint: string): (() => void) => {
    running += 1;
    runningTo.set(endpoint, (runningTo.get(endpoint) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running -= 1;
      const left = (runningTo.get(endpoint) ?? 1) - 1;
      if (left > 0) runningTo.set(endpoint, left);
      else runningTo.delete(endpoint);
      grant();
    };
  };

  /** Starts waiters while slots are free, one endpoint's turn at a time. */
  function grant(): void {
    let progressed = true;
    while (running < total && progressed) {
      progressed = false;
      for (const [endpoint, queue] of waiting) {
        if (running >= total) break;
        if ((runningTo.get(endpoint) ?? 0) >= perEndpoint) continue;
        const next = queue.shift();
        waiting.delete(endpoint);
        // Back of the turn order if it still waits: the others go first.
        if (queue.length > 0) waiting.set(endpoint, queue);
        if (next) {
          next();
          progressed = true;
        }
      }
    }
  }

  return {
    acquire(endpoint) {
      if (running < total && (runningTo.get(endpoint) ?? 0) < perEndpoint && !waiting.has(endpoint)) return Promise.resolve(start(endpoint));
      return new Promise((resolve) => {
        const queue = waiting.get(endpoint) ?? [];
        queue.push(() => resolve(start(endpoint)));
        waiting.set(endpoint, queue);
      });
    },
    load: () => ({ running, waiting: [...waiting.values()].reduce((n, q) => n + q.length, 0) }),
  };
}

/** The endpoint a webhook URL is delivered to: its origin (scheme, host, port). */
export function endpointOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
