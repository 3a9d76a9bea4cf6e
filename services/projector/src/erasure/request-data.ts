// Deleting what NATS holds of one erased request: every event on its subjects except its
// RequestErased tombstone, its agent tasks still queued, and its dead letters. JetStream
// deletes each with erase (the stored message is overwritten in the stream's files).
// Idempotent: a run after a finished one finds nothing and deletes nothing, so a crash
// midway is finished by running it again (see sweep.ts).
import { JetStreamApiError, type StoredMsg } from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import { isNotFound, nextMessageOn, storedPerSubject, type JetStreamManager } from "@chorus/platform";

export type RequestDataDeps = { jsm: JetStreamManager; topology: Topology };

export type DeletedData = { events: number; tasks: number; deadLetters: number };

export const deletedCount = (d: DeletedData) => d.events + d.tasks + d.deadLetters;

export async function deleteRequestData(deps: RequestDataDeps, requestId: string): Promise<DeletedData> {
  const { streams } = deps.topology;
  return {
    events: await deleteEvents(deps, requestId),
    tasks: await deleteScanned(deps.jsm, streams.tasks, deps.topology.subjects.allTasks, (m) => bodyNames(m, requestId)),
    deadLetters: await deleteScanned(deps.jsm, streams.deadLetters, deps.topology.subjects.allDeadLetters, (m) => isDeadLetterOf(m, requestId)),
  };
}

function isGone(err: unknown): boolean {
  // "no message found" (10037), "sequence N not found": deleted already, or never there.
  return err instanceof JetStreamApiError && (err.code === 10037 || /no message found|sequence \d+ not found/i.test(err.message));
}

/** Deletes (erasing) one stored message; one already gone counts as deleted: two sweeps may race to it. */
async function deleteStored(jsm: JetStreamManager, stream: string, seq: number): Promise<void> {
  try {
    await jsm.streams.deleteMessage(stream, seq, true);
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

async function deleteEvents(deps: RequestDataDeps, requestId: string): Promise<number> {
  const { jsm, topology: t } = deps;
  const tombstone = t.subjects.requestEvent(requestId, "erased");
  let deleted = 0;
  for (const subject of Object.keys(await storedPerSubject(jsm, t, requestId))) {
    if (subject === tombstone) continue;
    // A subject may hold more than one message (a fact repeated beyond the duplicate window): the last, until none.
    for (let m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject }); m; m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject })) {
      await deleteStored(jsm, t.streams.events, m.seq);
      deleted++;
    }
  }
  return deleted;
}

function bodyNames(m: StoredMsg, requestId: string): boolean {
  try {
    return (m.json() as { request_id?: unknown }).request_id === requestId;
  } catch {
    return false;
  }
}

/** A dead letter is the request's when its subject names the request, or its body is one of the request's messages. */
function isDeadLetterOf(m: StoredMsg, requestId: string): boolean {
  return m.subject.includes(`.request.${requestId}.`) || m.subject.endsWith(`.${requestId}`) || bodyNames(m, requestId);
}

/**
 * Reads a stream message by message, from its first stored message to the last one stored
 * when the scan began, and deletes those `isOf` picks. For the queued tasks and the dead
 * letters: both are few (a task is removed once handled) and keyed by where they go or
 * came from, not by request. Each read is the leader's message-get of the next message on
 * `subjects` (NATS 2.9's `next_by_subj`), so gaps cost nothing and no consumer is made:
 * a work-queue stream allows none beside its own.
 */
async function deleteScanned(jsm: JetStreamManager, stream: string, subjects: string, isOf: (m: StoredMsg) => boolean): Promise<number> {
  let state;
  try {
    state = (await jsm.streams.info(stream)).state;
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  if (state.messages === 0) return 0;
  let deleted = 0;
  for (let seq = state.first_seq; seq <= state.last_seq; ) {
    const m = await nextMessageOn(jsm, stream, subjects, seq);
    if (!m || m.seq > state.last_seq) break;
    if (isOf(m)) {
      await deleteStored(jsm, stream, m.seq);
      deleted++;
    }
    seq = m.seq + 1;
  }
  return deleted;
}
