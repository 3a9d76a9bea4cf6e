// Reads the event stream in order with an ordered consumer (no durable state on the
// server) and hands the events over in batches, up to a stream sequence.
import { ChorusEvent } from "@chorus/contracts";
import type { JetStreamClient, Logger } from "@chorus/platform";
import type { SequencedEvent } from "../projection/index.ts";

type OrderedConsumer = Awaited<ReturnType<JetStreamClient["consumers"]["get"]>>;


export type Replay = {
  /** Stream sequence of the last message read (0 before the first). */
  lastSeq(): number;
  /** Messages that are not valid events: the live consumer dead-letters them, the replay skips them. */
  skipped(): number;
  /** Reads on until `seq` (or the end of what is stored), calling `apply` once per batch; resolves to the events read. */
  until(seq: number, apply: (batch: SequencedEvent[]) => Promise<void>): Promise<number>;
  /** Deletes the server-side consumer now rather than when it times out. */
  close(): Promise<void>;
};

export async function openReplay(js: JetStreamClient, stream: string, options: { batchSize: number; logger: Logger }): Promise<Replay> {
  const consumer: OrderedConsumer = await js.consumers.get(stream);
  let last = 0;
  let skipped = 0;

  const readBatch = async (max: number): Promise<{ read: number; events: SequencedEvent[] }> => {
    const messages = await consumer.fetch({ max_messages: max, expires: 2_000 });
    const events: SequencedEvent[] = [];
    let read = 0;
    for await (const m of messages) {
      read += 1;
      last = m.seq;
      let payload: unknown;
      try {
        payload = m.json();
      } catch {
        payload = undefined;
      }
      const parsed = ChorusEvent.safeParse(payload);
      if (parsed.success) events.push({ event: parsed.data, seq: m.seq });
      else {
        skipped += 1;
        options.logger.warn({ seq: m.seq, subject: m.subject }, "not a valid event; skipped");
      }
    }
    return { read, events };
  };

  return {
    lastSeq: () => last,
    skipped: () => skipped,
    async until(seq, apply) {
      let count = 0;
      let idle = 0;
      while (last < seq) {
        // Never more than the range holds, so a fetch ends at once instead of waiting for more.
        const { read, events } = await readBatch(Math.min(options.batchSize, seq - last));
        if (events.length > 0) await apply(events);
        count += events.length;
        if (read > 0) {
          idle = 0;
          continue;
        }
        // Nothing came: the rest of the range may have aged out of the stream, or the
        // fetch met a hiccup. The server says which.
        if ((await consumer.info()).num_pending === 0) break;
        if (++idle >= 5) throw new Error(`the events stream stopped answering at sequence ${last}`);
      }
      return count;
    },
    async close() {
      await consumer.delete().catch(() => undefined);
    },
  };
}
