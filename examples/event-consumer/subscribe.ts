// The two ways to consume Chorus events from NATS JetStream: follow one request (an
// ordered consumer on its subjects, from its first event to its end event), or process
// one event type of every request with a durable consumer that survives restarts.
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { ChorusEvent, eventWildcard, isEndEvent, topology, type ChorusEventType } from "@chorus/contracts";

export type OnEvent = (event: ChorusEvent, seq: number) => void | Promise<void>;

/** Every event of one request in order; resolves after its end event (RequestCompleted or RequestFailed). */
export async function followRequest(js: JetStreamClient, prefix: string, requestId: string, onEvent: OnEvent): Promise<void> {
  const t = topology(prefix);
  // An ordered consumer: ephemeral, in order, no acks; one filter subject (NATS 2.9 takes one).
  const consumer = await js.consumers.get(t.streams.events, { filter_subjects: t.subjects.requestEvents(requestId), deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  for await (const m of messages) {
    const event = ChorusEvent.parse(m.json());
    await onEvent(event, m.seq);
    if (isEndEvent(event)) break;
  }
  await messages.close();
}

export type Consuming = { stop(): Promise<void>; done: Promise<void> };

/**
 * Every event of one type, of every request, through a durable consumer named `durable`:
 * created if missing, acked after `onEvent` returns, so a restart resumes where it stopped.
 */
export async function consumeEventType(js: JetStreamClient, jsm: JetStreamManager, prefix: string, type: ChorusEventType, durable: string, onEvent: OnEvent): Promise<Consuming> {
  const t = topology(prefix);
  await jsm.consumers.add(t.streams.events, {
    durable_name: durable,
    filter_subject: eventWildcard(prefix, type),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await js.consumers.get(t.streams.events, durable);
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) {
      const event = ChorusEvent.parse(m.json());
      await onEvent(event, m.seq);
      m.ack();
    }
  })();
  return {
    done,
    async stop() {
      await messages.close();
      await done;
    },
  };
}
