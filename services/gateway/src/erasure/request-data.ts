// Deleting what NATS holds of one request: every event on its subjects except its
// RequestErased tombstone, and its dead letters. JetStream's erase overwrites each stored
// message, so the text is gone from the disk and not only from view. Idempotent: a run
// after a finished one finds nothing left and deletes nothing, so a crash midway is
// finished by running it again (see completion.ts).
import { JetStreamApiError, type JsMsg } from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import { isNotFound, type JetStreamClient, type JetStreamManager } from "@chorus/platform";

export type RequestDataDeps = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology };

export type DeletedData = { events: number; deadLetters: number };

/** The stored messages per subject of the request (the tombstone's included), from the stream's own index. */
export async function requestSubjects(deps: RequestDataDeps, requestId: string): Promise<Record<string, number>> {
  const { jsm, topology: t } = deps;
  const info = await jsm.streams.info(t.streams.events, { subjects_filter: t.subjects.requestEvents(requestId) });
  return info.state.subjects ?? {};
}

export async function deleteRequestData(deps: RequestDataDeps, requestId: string): Promise<DeletedData> {
  return { events: await deleteEvents(deps, requestId), deadLetters: await deleteDeadLetters(deps, requestId) };
}

/** Deletes (erasing) one stored message; one already gone counts as deleted: the sweep and a call may race to it. */
async function deleteStored(jsm: JetStreamManager, stream: string, seq: number): Promise<void> {
  try {
    await jsm.streams.deleteMessage(stream, seq, true);
  } catch (err) {
    // "no message found" (10037), "sequence N not found": deleted already.
    if (!(err instanceof JetStreamApiError && (err.code === 10037 || /no message found|sequence \d+ not found/i.test(err.message)))) throw err;
  }
}

async function deleteEvents(deps: RequestDataDeps, requestId: string): Promise<number> {
  const { jsm, topology: t } = deps;
  const tombstone = t.subjects.requestEvent(requestId, "erased");
  let deleted = 0;
  for (const subject of Object.keys(await requestSubjects(deps, requestId))) {
    if (subject === tombstone) continue;
    // A subject may hold more than one message (a fact repeated beyond the duplicate window): the last, until none.
    for (let m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject }); m; m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject })) {
      await deleteStored(jsm, t.streams.events, m.seq);
      deleted++;
    }
  }
  return deleted;
}

/** A dead letter is the request's when its subject names the request, or its body is one of the request's messages. */
function isDeadLetterOf(m: JsMsg, requestId: string): boolean {
  if (m.subject.includes(`.request.${requestId}.`) || m.subject.endsWith(`.${requestId}`)) return true;
  try {
    return (m.json() as { request_id?: unknown }).request_id === requestId;
  } catch {
    return false;
  }
}

/**
 * Dead letters are few and keyed by where they came from (a task subject names no request),
 * so they are read through once with an ordered consumer and the request's are deleted.
 */
async function deleteDeadLetters(deps: RequestDataDeps, requestId: string): Promise<number> {
  const { js, jsm, topology: t } = deps;
  let stored: number;
  try {
    stored = (await jsm.streams.info(t.streams.deadLetters)).state.messages;
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  if (stored === 0) return 0;
  const consumer = await js.consumers.get(t.streams.deadLetters, { filter_subjects: t.subjects.allDeadLetters });
  const seqs: number[] = [];
  for (let done = false; !done; ) {
    const batch = await consumer.fetch({ max_messages: 256, expires: 2_000 });
    let received = 0;
    for await (const m of batch) {
      received++;
      if (isDeadLetterOf(m, requestId)) seqs.push(m.seq);
      if (m.info.pending === 0) {
        done = true;
        break;
      }
    }
    if (received === 0) done = true;
  }
  for (const seq of seqs) await deleteStored(jsm, t.streams.deadLetters, seq);
  return seqs.length;
}
