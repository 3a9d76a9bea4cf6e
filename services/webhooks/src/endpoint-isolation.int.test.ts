// One slow receiver cannot hold up the others: deliveries to a receiver that answers
// after 1.5 s queue behind their own endpoint's share of the send slots, while deliveries
// to a receiver that answers at once, published after them, go out at once — and every
// delivery still arrives once.
import { describe, expect, it } from "vitest";
import { eventually, isolatedPerTest, startWebhookReceiver } from "@chorus/testing";
import { endEvent, publishEnd, startTestWebhooks } from "./webhooks.fixtures.ts";

const env = isolatedPerTest({ nats: true });

describe("webhook delivery per endpoint", () => {
  it("sends to a fast receiver at once while a slow one's backlog waits for its own slots", async () => {
    const slow = await startWebhookReceiver({ status: 204, delayMs: 1_500 });
    const fast = await startWebhookReceiver();
    env.defer(() => slow.close());
    env.defer(() => fast.close());
    const webhooks = await startTestWebhooks(env.nats, { concurrency: 4, endpointConcurrency: 2 });
    env.defer(() => webhooks.stop());

    for (let i = 0; i < 8; i++) await publishEnd(env.nats, endEvent(slow.url));
    for (let i = 0; i < 4; i++) await publishEnd(env.nats, endEvent(fast.url));

    await eventually(() => (fast.received.length === 4 ? true : undefined));
    // Sharing 4 slots first come, first served, the fast ones would wait for all 8 slow
    // ones (two rounds of 1.5 s); each round of the slow endpoint's own 2 slots takes 1.5 s.
    expect(slow.received.length).toBeLessThan(6);

    await eventually(() => (slow.received.length === 8 ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(slow.received).toHaveLength(8);
    expect(fast.received).toHaveLength(4);
  }, 45_000);
});
