// Follows what a waiting submission needs of one request as it is published (core NATS,
// no consumer), from before its RequestAccepted is published so that nothing slips past:
// its end (through the connection's shared request-ends subscription) and, for a
// submission under an Idempotency-Key, the request's accept (another body under the same
// key ends the wait). Events are kept as they arrive and parsed only when asked for: the
// end event carries every agent's result.
import { ChorusEvent, type ChorusEventType, type Topology } from "@chorus/contracts";
import type { Logger, NatsConnection } from "@chorus/platform";
import { requestEnds } from "./request-ends.ts";

export type RequestWatch = {
  /** Every valid event seen so far (the end, and the accept when asked for), in arrival order. */
  events(): readonly ChorusEvent[];
  /**
   * The first event (seen or to come) of one of `types` that matches `stop`, or undefined
   * after `timeoutMs` or on abort. Only events of those types are parsed for it.
   */
  until(types: readonly ChorusEventType[], stop: (event: ChorusEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<ChorusEvent | undefined>;
  close(): void;
};

/** The request-level event types by their subject's last token (see eventSubjectSuffix). */
const REQUEST_EVENT_BY_SUFFIX: Record<string, ChorusEventType> = { accepted: "RequestAccepted", completed: "RequestCompleted", failed: "RequestFailed" };

type Arrival = { subject: string; data: Uint8Array; event?: ChorusEvent | null };

export function watchRequest(nc: NatsConnection, t: Topology, requestId: string, logger: Logger, options: { accepts?: boolean } = {}): RequestWatch {
  const arrivals: Arrival[] = [];
  const listeners = new Set<(arrival: Arrival) => void>();

  /** Parsed once; null when invalid (logged and left out). */
  const parse = (arrival: Arrival): ChorusEvent | null => {
    if (arrival.event !== undefined) return arrival.event;
    let parsed;
    try {
      parsed = ChorusEvent.safeParse(JSON.parse(new TextDecoder().decode(arrival.data)));
    } catch {
      logger.warn({ subject: arrival.subject }, "ignoring an event that is not JSON");
      return (arrival.event = null);
    }
    if (!parsed.success) logger.warn({ subject: arrival.subject }, "ignoring an event that does not match its schema");
    return (arrival.event = parsed.success ? parsed.data : null);
  };
  const requestLevel = new Map(Object.entries(REQUEST_EVENT_BY_SUFFIX).map(([suffix, type]) => [t.subjects.requestEvent(requestId, suffix), type]));
  /** The event type a subject carries, for the request-level events only. */
  const requestEventType = (subject: string): ChorusEventType | undefined => requestLevel.get(subject);

  const arrive = (subject: string, data: Uint8Array) => {
    const arrival: Arrival = { subject, data };
    arrivals.push(arrival);
    for (const listener of listeners) listener(arrival);
  };
  const stopListening = requestEnds(nc, t).listen(requestId, arrive);
  const accepts = options.accepts ? nc.subscribe(t.subjects.requestEvent(requestId, "accepted"), { callback: (err, m) => void (err ? undefined : arrive(m.subject, m.data)) }) : undefined;

  return {
    events: () => arrivals.map(parse).filter((e) => e !== null),
    until(types, stop, timeoutMs, signal) {
      const wanted = new Set(types);
      const match = (arrival: Arrival): ChorusEvent | undefined => {
        const type = requestEventType(arrival.subject);
        if (type === undefined || !wanted.has(type)) return undefined;
        const event = parse(arrival);
        return event && stop(event) ? event : undefined;
      };
      for (const arrival of arrivals) {
        const already = match(arrival);
        if (already) return Promise.resolve(already);
      }
      if (signal?.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const finish = (event: ChorusEvent | undefined) => {
          clearTimeout(timer);
          listeners.delete(listener);
          signal?.removeEventListener("abort", onAbort);
          resolve(event);
        };
        const listener = (arrival: Arrival) => {
          const event = match(arrival);
          if (event) finish(event);
        };
        const onAbort = () => finish(undefined);
        const timer = setTimeout(onAbort, timeoutMs);
        listeners.add(listener);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    close() {
      stopListening();
      accepts?.unsubscribe();
    },
  };
}
