// Every request's end event (RequestCompleted, RequestFailed) as it is published, on one
// pair of core NATS subscriptions per gateway connection, handed to whoever waits for
// that request. A waiting POST used to subscribe to all of its request's events: a
// subscription made and dropped on the server per request, and a dozen deliveries of which
// only the end mattered. Now a request costs one delivery here, whichever replica it is on.
import type { Topology } from "@chorus/contracts";
import type { NatsConnection } from "@chorus/platform";

/** Called with each end event of the request listened for, as published (parsed by the listener). */
export type EndListener = (subject: string, data: Uint8Array) => void;

export type RequestEnds = {
  /** Listens from now on; the returned function stops listening. */
  listen(requestId: string, listener: EndListener): () => void;
};

const hubs = new WeakMap<NatsConnection, Map<string, RequestEnds>>();

/** The request-ends hub of this connection and subject prefix, subscribed on first use and kept for the connection's life. */
export function requestEnds(nc: NatsConnection, t: Topology): RequestEnds {
  let byPrefix = hubs.get(nc);
  if (!byPrefix) hubs.set(nc, (byPrefix = new Map()));
  let hub = byPrefix.get(t.prefix);
  if (!hub) byPrefix.set(t.prefix, (hub = subscribeEnds(nc, t)));
  return hub;
}

function subscribeEnds(nc: NatsConnection, t: Topology): RequestEnds {
  const listeners = new Map<string, Set<EndListener>>();
  const deliver = (subject: string, data: Uint8Array) => {
    // <prefix>.ev.request.<request_id>.<end>: the id is the token before the last.
    const tokens = subject.split(".");
    const waiting = listeners.get(tokens[tokens.length - 2] ?? "");
    if (waiting) for (const listener of waiting) listener(subject, data);
  };
  for (const end of ["completed", "failed"] as const) {
    nc.subscribe(t.subjects.requestEnds(end), {
      callback: (err, m) => {
        if (!err) deliver(m.subject, m.data);
      },
    });
  }
  return {
    listen(requestId, listener) {
      let set = listeners.get(requestId);
      if (!set) listeners.set(requestId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(requestId) === set) listeners.delete(requestId);
      };
    },
  };
}
