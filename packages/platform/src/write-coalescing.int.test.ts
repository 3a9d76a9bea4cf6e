// Write coalescing on a real NATS connection: the client's internals are what the patch
// expects (so an upgrade of the client that changes them fails here, not silently in
// production), what one event-loop turn publishes leaves in one socket write, and
// messages still arrive whole and in order.
import { afterEach, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NATS_URL } from "@chorus/testing";
import { coalesceWrites } from "./write-coalescing.ts";

const open: NatsConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((nc) => nc.close()));
});

async function connection(coalesce: boolean): Promise<{ nc: NatsConnection; writes: () => number }> {
  const nc = await connect({ servers: NATS_URL });
  open.push(nc);
  if (coalesce) expect(coalesceWrites(nc)).toBe(true);
  const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
  let count = 0;
  const send = transport.send.bind(transport);
  transport.send = (frame) => {
    count++;
    send(frame);
  };
  return { nc, writes: () => count };
}

/** Publishes `n` messages from `n` separate microtask turns of one event-loop turn, as concurrent handlers do. */
async function publishFromMicrotasks(nc: NatsConnection, subject: string, n: number) {
  let chain = Promise.resolve();
  for (let i = 0; i < n; i++) {
    chain = chain.then(async () => {
      await Promise.resolve();
      nc.publish(subject, String(i));
    });
  }
  await chain;
}

describe("coalescing a NATS connection's writes", () => {
  it("sends what one event-loop turn publishes in one write, where the client alone writes at each microtask checkpoint", async () => {
    const subject = `coalesce.${crypto.randomUUID()}`;
    const plain = await connection(false);
    const coalesced = await connection(true);
    await plain.nc.flush();
    await coalesced.nc.flush();

    const plainBefore = plain.writes();
    await publishFromMicrotasks(plain.nc, subject, 50);
    await new Promise((resolve) => setImmediate(resolve));
    const coalescedBefore = coalesced.writes();
    await publishFromMicrotasks(coalesced.nc, subject, 50);
    await new Promise((resolve) => setImmediate(resolve));

    expect(coalesced.writes() - coalescedBefore).toBe(1);
    expect(plain.writes() - plainBefore).toBeGreaterThan(10);
  });

  it("delivers every message whole and in order, and answers requests", async () => {
    const subject = `coalesce.${crypto.randomUUID()}`;
    const { nc } = await connection(true);
    const received: string[] = [];
    const sub = nc.subscribe(subject, { max: 200 });
    const done = (async () => {
      for await (const m of sub) received.push(m.string());
    })();
    const echo = nc.subscribe(`${subject}.echo`, { callback: (_err, m) => void m.respond(m.data) });
    await nc.flush();
    await publishFromMicrotasks(nc, subject, 200);
    await done;
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect((await nc.request(`${subject}.echo`, "ping", { timeout: 5_000 })).string()).toBe("ping");
    echo.unsubscribe();
  });

  it("sends what was queued before a close, which does not flush on its own", async () => {
    const subject = `coalesce.${crypto.randomUUID()}`;
    const listener = await connection(false);
    const sub = listener.nc.subscribe(subject, { max: 1 });
    await listener.nc.flush();
    const { nc } = await connection(true);
    await nc.flush();
    nc.publish(subject, "last words");
    await nc.close();
    for await (const m of sub) expect(m.string()).toBe("last words");
  });
});
