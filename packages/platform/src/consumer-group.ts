// The durable consumers one service runs side by side, started, watched and stopped as
// one: a start that fails part-way stops the ones already pulling before it rethrows.
import type { ConsumerHandle } from "./delivery.ts";

export type ConsumerGroup = ConsumerHandle;

/** Starts each consumer in turn; `isRunning` is true while every one of them is pulling. */
export async function startConsumerGroup(starts: readonly (() => Promise<ConsumerHandle>)[]): Promise<ConsumerGroup> {
  const handles: ConsumerHandle[] = [];
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
  };
  try {
    for (const start of starts) handles.push(await start());
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop, isRunning: () => handles.every((h) => h.isRunning()) };
}

/** A readiness check that fails while any consumer of the group is not pulling. */
export function consumersRunning(group: Pick<ConsumerHandle, "isRunning">): () => void {
  return () => {
    if (!group.isRunning()) throw new Error("consumers are not running");
  };
}
