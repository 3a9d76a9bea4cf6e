// One socket write per event-loop turn for a NATS connection, instead of one per microtask
// checkpoint. The client buffers protocol commands and flushes them on a microtask, so
// handlers that publish or ack at different points of one turn each cost a write syscall
// (loopback TCP: the kernel's work is charged to the writer). Under load those writes were
// the largest item of every service's CPU profile; flushing once per turn (setImmediate)
// sends what a turn produced together, for at most one turn of latency.
//
// This replaces one method of the client's protocol handler (@nats-io/nats-core 3.x,
// `sendCommand`); when that shape is not there (another client version), the connection is
// left as it is and `coalesceWrites` says so.
import { setImmediate as nextTurn } from "node:timers";
import type { NatsConnection } from "@nats-io/transport-node";

type Protocol = {
  outbound: { fill(buf: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  close(err?: Error): Promise<void>;
};

function protocolOf(nc: NatsConnection): Protocol | undefined {
  const protocol = (nc as unknown as { protocol?: Partial<Protocol> }).protocol;
  if (!protocol || typeof protocol.sendCommand !== "function" || typeof protocol.flushPending !== "function" || typeof protocol.close !== "function") return undefined;
  const outbound = protocol.outbound;
  if (!outbound || typeof outbound.fill !== "function" || typeof outbound.size !== "function" || typeof protocol.pendingLimit !== "number") return undefined;
  return protocol as Protocol;
}

const encoder = new TextEncoder();

/** Makes the connection flush its protocol buffer once per event-loop turn; false if the client's internals are not the expected ones. */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = protocolOf(nc);
  if (!protocol) return false;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    protocol.flushPending();
  };
  protocol.sendCommand = (cmd, ...payloads) => {
    protocol.outbound.fill(typeof cmd === "string" ? encoder.encode(cmd) : cmd, ...payloads);
    if (protocol.outbound.size() >= protocol.pendingLimit) {
      // A large backlog goes out at once, as the client does.
      protocol.flushPending();
    } else if (!scheduled) {
      scheduled = true;
      // Node's own, taken at load: a test's fake timers must not stop every NATS write.
      nextTurn(flush);
    }
  };
  // A close (not a drain, which flushes) would otherwise drop what this turn queued: an ack
  // just before it, say, which the server would then redeliver.
  const close = protocol.close.bind(protocol);
  protocol.close = async (err) => {
    if (scheduled) flush();
    await close(err);
  };
  return true;
}
