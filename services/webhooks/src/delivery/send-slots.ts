// How many webhook sends run at once in this process, and how many of them to one
// endpoint (an origin: scheme, host and port). A slow or dead endpoint can hold only its
// own slots, so deliveries to every other endpoint go on. When a slot frees, the tenants
// with deliveries waiting take turns (round robin), and within a tenant its endpoints take
// turns, each endpoint's deliveries in arrival order: a tenant with many endpoints, or
// many deliveries, gets no more of the freed slots than one with a few.
// No I/O: the caller keeps its message alive while it waits.

export type SendSlots = {
  /** Resolves when a send to `endpoint` for `tenant` may start; call the returned function when it is over. */
  acquire(endpoint: string, tenant?: string): Promise<() => void>;
  /** Sends running and waiting now (for logs and tests). */
  load(): { running: number; waiting: number };
};

export function sendSlots(limits: { total: number; perEndpoint: number }): SendSlots {
  const total = Math.max(1, limits.total);
  const perEndpoint = Math.max(1, limits.perEndpoint);
  let running = 0;
  let queued = 0;
  const runningTo = new Map<string, number>();
  // Tenants with waiters, in turn order; each with its endpoints in turn order; each endpoint's waiters in arrival order.
  const waiting = new Map<string, Map<string, Array<() => void>>>();
  const hasRoom = (endpoint: string) => running < total && (runningTo.get(endpoint) ?? 0) < perEndpoint;

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

  /** The next waiter of `tenant` whose endpoint has room, taken off its queue (the endpoint to the back of the tenant's turns). */
  function takeFrom(tenant: string, endpoints: Map<string, Array<() => void>>): (() => void) | undefined {
    for (const [endpoint, queue] of endpoints) {
      if (!hasRoom(endpoint)) continue;
      const next = queue.shift();
      endpoints.delete(endpoint);
      if (queue.length > 0) endpoints.set(endpoint, queue);
      if (endpoints.size === 0) waiting.delete(tenant);
      return next;
    }
    return undefined;
  }

  /** Starts waiters while slots are free: one per tenant per turn. */
  function grant(): void {
    let progressed = true;
    while (running < total && progressed) {
      progressed = false;
      for (const [tenant, endpoints] of waiting) {
        if (running >= total) break;
        const next = takeFrom(tenant, endpoints);
        if (!next) continue;
        // Back of the turn order if it still waits: the other tenants go first.
        if (waiting.delete(tenant) && endpoints.size > 0) waiting.set(tenant, endpoints);
        queued -= 1;
        next();
        progressed = true;
      }
    }
  }

  return {
    acquire(endpoint, tenant = "") {
      // After every grant no waiter can start, so one with room now bypasses nobody who could.
      if (hasRoom(endpoint)) return Promise.resolve(start(endpoint));
      return new Promise((resolve) => {
        const endpoints = waiting.get(tenant) ?? new Map<string, Array<() => void>>();
        const queue = endpoints.get(endpoint) ?? [];
        queue.push(() => resolve(start(endpoint)));
        endpoints.set(endpoint, queue);
        waiting.set(tenant, endpoints);
        queued += 1;
      });
    },
    load: () => ({ running, waiting: queued }),
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
