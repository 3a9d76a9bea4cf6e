// Whether the NATS connection is up right now, from its status stream, so a submit
// during an outage answers 503 at once instead of waiting out publish timeouts.
import type { NatsConnection } from "@chorus/platform";

export type BrokerState = { isUp(): boolean };

export function brokerState(nc: NatsConnection): BrokerState {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") connected = false;
      else if (status.type === "reconnect") connected = true;
    }
  })().catch(() => undefined);
  return { isUp: () => connected && !nc.isClosed() && !nc.isDraining() };
}
