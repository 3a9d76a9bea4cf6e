// What the benchmark reads back from JetStream and Postgres: stream sequences, the
// events of a sequence range, the projector's backlog, and when events were projected.
import { DeliverPolicy } from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, sql, type DatabasePool, type JetStreamClient, type JetStreamManager } from "@chorus/platform";
import type { StreamSequences } from "../lib/messages.ts";
import type { TimedEvent } from "../lib/stages.ts";

export type StoredEvent = TimedEvent & { id: string; request_id: string; seq: number };

export async function streamSequences(jsm: JetStreamManager, t: Topology): Promise<StreamSequences> {
  const last = async (name: string) => (await jsm.streams.info(name)).state.last_seq;
  return { events: await last(t.streams.events), commands: await last(t.streams.commands), tasks: await last(t.streams.tasks) };
}

/** Every event with a sequence in (afterSeq, toSeq], read with an ordered consumer. */
export async function eventsBetween(js: JetStreamClient, t: Topology, afterSeq: number, toSeq: number): Promise<StoredEvent[]> {
  if (toSeq <= afterSeq) return [];
  const consumer = await js.consumers.get(t.streams.events, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 });
  const messages = await consumer.consume({ max_messages: 2_000 });
  const events: StoredEvent[] = [];
  for await (const m of messages) {
    events.push({ ...(m.json() as Omit<StoredEvent, "seq">), seq: m.seq });
    if (m.seq >= toSeq) break;
  }
  await messages.close();
  return events;
}

/** Waits until the projector has applied everything, and says how long that took. */
export async function projectorDrainMs(jsm: JetStreamManager, t: Topology, durable = "projector", timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const info = await jsm.consumers.info(t.streams.events, durable);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  return NaN;
}

/** When each event in the sequence range was projected (its read-model transaction), epoch ms by sequence. */
export async function projectedAt(pool: DatabasePool, fromSeq: number, toSeq: number): Promise<Map<number, number>> {
  const rows = await pool.any(
    sql.unsafe`SELECT stream_seq, projected_at FROM ${sql.identifier([READ_MODEL_SCHEMA, "projected_events"])} WHERE stream_seq BETWEEN ${fromSeq} AND ${toSeq}`,
  );
  return new Map((rows as readonly { stream_seq: bigint | number; projected_at: number }[]).map((r) => [Number(r.stream_seq), Number(r.projected_at)]));
}
