// The JetStream publish ceiling right now: 1 KiB messages to a file-storage stream of
// our own, ~1,000 publishes in flight, then the stream is deleted.
import { randomBytes } from "node:crypto";
import { RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { uniqueName } from "@chorus/testing";

export type PublishCeiling = { messages: number; inFlight: number; sizeBytes: number; msgsPerSecond: number };

export async function jetStreamPublishCeiling(js: JetStreamClient, jsm: JetStreamManager, options = { messages: 30_000, inFlight: 1_000, sizeBytes: 1024 }): Promise<PublishCeiling> {
  const name = uniqueName("BENCH_CEILING").toUpperCase();
  const subject = `${name.toLowerCase()}.x`;
  await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Limits });
  try {
    const payload = randomBytes(options.sizeBytes);
    const publishAll = async (count: number) => {
      const window = new Set<Promise<unknown>>();
      for (let i = 0; i < count; i++) {
        const p: Promise<unknown> = js.publish(subject, payload).finally(() => window.delete(p));
        window.add(p);
        if (window.size >= options.inFlight) await Promise.race(window);
      }
      await Promise.all(window);
    };
    await publishAll(2_000); // warm-up: connection buffers, the stream's first block
    const started = performance.now();
    await publishAll(options.messages);
    const ms = performance.now() - started;
    return { ...options, msgsPerSecond: (options.messages * 1000) / ms };
  } finally {
    await jsm.streams.delete(name).catch(() => undefined);
  }
}
