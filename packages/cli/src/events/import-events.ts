// Stores archived messages (export-events' gzip-compressed NDJSON) into an empty event
// stream, in order, each on its subject with its headers and its message id, so the stream
// reads as the one exported (from sequence 1 on for a whole-stream export) and the read
// models can be rebuilt from it. Refuses a stream that already holds messages: merging two
// histories is not a restore.
import { accessSync, constants, createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { JetStreamClient, JetStreamManager } from "@chorus/platform";
import { fromLine } from "./archive-line.ts";

export type ImportOptions = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** The subject prefix of the stream imported into (CHORUS_SUBJECT_PREFIX); an archive of another prefix is moved to it. */
  prefix: string;
  files: string[];
};

export type ImportResult = { messages: number; duplicates: number };

/** Publishes in flight at once: order is kept by the one connection, throughput by not waiting for each ack. */
const IN_FLIGHT = 256;

export class StreamNotEmptyError extends Error {
  override name = "StreamNotEmptyError";
}

export async function importEvents(opts: ImportOptions): Promise<ImportResult> {
  for (const file of opts.files) accessSync(file, constants.R_OK); // a missing file is said before anything is stored
  const { state } = await opts.jsm.streams.info(opts.stream);
  if (state.messages > 0) throw new StreamNotEmptyError(`stream ${opts.stream} already holds ${state.messages} messages; import only into an empty stream`);
  const result: ImportResult = { messages: 0, duplicates: 0 };
  const pending = new Set<Promise<void>>();
  for (const file of opts.files) {
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === "") continue;
      let message;
      try {
        message = fromLine(text, lineNumber);
      } catch (err) {
        throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
      }
      // <prefix>.ev.…: a restore into another prefix (a staging copy) keeps the rest of the subject.
      const at = message.subject.indexOf(".ev.");
      if (at <= 0) throw new Error(`${file}: line ${lineNumber}: ${message.subject} is not an event subject`);
      const subject = `${opts.prefix}${message.subject.slice(at)}`;
      const h = natsHeaders();
      let msgID: string | undefined;
      for (const [key, values] of Object.entries(message.headers)) {
        // The message id is given as a publish option so JetStream deduplicates on it.
        if (key === "Nats-Msg-Id") msgID = values[0];
        // A stored message keeps the expectations it was published with (a last sequence of
        // the original stream); in the restored one they would refuse it.
        else if (!key.toLowerCase().startsWith("nats-expected-")) for (const value of values) h.append(key, value);
      }
      const publish = opts.js.publish(subject, message.payload, { headers: h, ...(msgID ? { msgID } : {}) }).then((ack) => {
        if (ack.duplicate) result.duplicates += 1;
        else result.messages += 1;
      });
      pending.add(publish);
      void publish.finally(() => pending.delete(publish)).catch(() => undefined);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
  }
  await Promise.all(pending);
  return result;
}
