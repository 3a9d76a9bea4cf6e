// `chorus events tail` and `chorus dlq list`: what is on the event and dead-letter streams,
// for operators, without the `nats` tool. Tail follows with an ordered consumer (nothing
// left on the server) from now on, or from the start; the dead-letter list reads what is
// stored, with each message's reason and where it came from.
import type { Topology } from "@chorus/contracts";
import { DeliverPolicy, HEADER, type JetStreamClient, type JetStreamManager } from "@chorus/platform";

export type TailOptions = {
  js: JetStreamClient;
  topology: Topology;
  /** One request's events only. */
  requestId?: string;
  /** Only events of this type (RequestCompleted, AgentFailed, …). */
  type?: string;
  /** From the first stored event instead of from now. */
  all?: boolean;
  write(line: string): void;
  signal: AbortSignal;
};

export async function tailEvents(opts: TailOptions): Promise<void> {
  const t = opts.topology;
  const consumer = await opts.js.consumers.get(t.streams.events, {
    filter_subjects: opts.requestId ? t.subjects.requestEvents(opts.requestId) : t.subjects.allEvents,
    deliver_policy: opts.all ? DeliverPolicy.All : DeliverPolicy.New,
  });
  const messages = await consumer.consume();
  opts.signal.addEventListener("abort", () => void messages.close(), { once: true });
  for await (const m of messages) {
    const type = m.headers?.get(HEADER.eventType) ?? "";
    if (opts.type && type !== opts.type) continue;
    opts.write(m.string());
  }
}

export type DeadLetter = { seq: number; subject: string; from: string; reason: string; deliveries: string; consumer: string };

export async function deadLetters(js: JetStreamClient, jsm: JetStreamManager, t: Topology): Promise<DeadLetter[]> {
  const { state } = await jsm.streams.info(t.streams.deadLetters);
  if (state.messages === 0) return [];
  const consumer = await js.consumers.get(t.streams.deadLetters, { deliver_policy: DeliverPolicy.All });
  const found: DeadLetter[] = [];
  try {
    while (found.length < state.messages) {
      let read = 0;
      for await (const m of await consumer.fetch({ max_messages: Math.min(500, state.messages - found.length), expires: 2_000 })) {
        read += 1;
        const h = (name: string) => m.headers?.get(name) ?? "";
        found.push({ seq: m.seq, subject: m.subject, from: `${h(HEADER.fromSubject)} #${h(HEADER.fromSequence)}`, reason: h(HEADER.reason), deliveries: h(HEADER.deliveries), consumer: h(HEADER.consumer) });
        if (m.seq >= state.last_seq) break;
      }
      if (read === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return found;
}
