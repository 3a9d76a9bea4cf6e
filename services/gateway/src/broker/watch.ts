// Follows one request's events as they are published (core NATS, no consumer), from
// before its command is published so that no event can slip past a waiting POST.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import type { Logger, NatsConnection } from "@chorus/platform";

export type RequestWatch = {
  /** Every valid event seen so far, in arrival order. */
  events(): readonly ChorusEvent[];
  /** The first event (seen or to come) matching `stop`, or undefined after `timeoutMs` or on abort. */
  until(stop: (event: ChorusEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<ChorusEvent | undefined>;
  close(): void;
};

export function watchRequest(nc: NatsConnection, t: Topology, requestId: string, logger: Logger): RequestWatch {
  const sub = nc.subscribe(t.subjects.requestEvents(requestId));
  const seen: ChorusEvent[] = [];
  const listeners = new Set<(event: ChorusEvent) => void>();

  void (async () => {
    for await (const m of sub) {
      let parsed;
      try {
        parsed = ChorusEvent.safeParse(m.json());
      } catch {
        logger.warn({ subject: m.subject }, "ignoring an event that is not JSON");
        continue;
      }
      if (!parsed.success) {
        logger.warn({ subject: m.subject }, "ignoring an event that does not match its schema");
        continue;
      }
      seen.push(parsed.data);
      for (const listener of listeners) listener(parsed.data);
    }
  })();

  return {
    events: () => seen,
    until(stop, timeoutMs, signal) {
      const already = seen.find(stop);
      if (already || signal?.aborted) return Promise.resolve(already);
      return new Promise((resolve) => {
        const finish = (event: ChorusEvent | undefined) => {
          clearTimeout(timer);
          listeners.delete(listener);
          signal?.removeEventListener("abort", onAbort);
          resolve(event);
        };
        const listener = (event: ChorusEvent) => {
          if (stop(event)) finish(event);
        };
        const onAbort = () => finish(undefined);
        const timer = setTimeout(onAbort, timeoutMs);
        listeners.add(listener);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    close() {
      sub.unsubscribe();
    },
  };
}
