// Writes the event stream, or the part of it stored in a time range, to gzip-compressed
// NDJSON (one archived message per line, in stream order). Reads with an ordered consumer,
// which leaves nothing behind on the server, up to the last message stored when the export
// began: what arrives later is the next export's.
import { once } from "node:events";
import { createGzip } from "node:zlib";
import type { Writable } from "node:stream";
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@chorus/platform";
import { toLine } from "./archive-line.ts";

export type ExportOptions = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** Where the compressed NDJSON goes (a file); it is ended, and finished, when the export is done. */
  out: Writable;
  /** Messages stored at or after this instant (default: the first one). */
  since?: Date;
  /** Messages stored before this instant (default: the last one when the export began). */
  until?: Date;
};

export type ExportResult = { messages: number; firstSeq: number | null; lastSeq: number | null };

const BATCH = 500;

export async function exportEvents(opts: ExportOptions): Promise<ExportResult> {
  const { state } = await opts.jsm.streams.info(opts.stream);
  const end = state.last_seq;
  const gzip = createGzip();
  gzip.pipe(opts.out);
  const result: ExportResult = { messages: 0, firstSeq: null, lastSeq: null };
  if (state.messages > 0) {
    const consumer = await opts.js.consumers.get(
      opts.stream,
      opts.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: opts.since.toISOString() } : { deliver_policy: DeliverPolicy.All },
    );
    try {
      let last = 0;
      while (last < end) {
        // Never more than is left, so the last fetch ends at once instead of waiting for more.
        const batch = await consumer.fetch({ max_messages: Math.min(BATCH, end - last), expires: 2_000 });
        let read = 0;
        for await (const m of batch) {
          read += 1;
          last = m.seq;
          if (m.seq > end) break;
          const time = new Date(Math.floor(m.info.timestampNanos / 1e6));
          if (opts.until && time >= opts.until) {
            last = end;
            break;
          }
          const headers: Record<string, string[]> = {};
          // Publish-time expectations (Nats-Expected-*) described the original stream only.
          for (const key of m.headers?.keys() ?? []) if (!key.toLowerCase().startsWith("nats-expected-")) headers[key] = m.headers?.values(key) ?? [];
          if (!gzip.write(`${toLine({ seq: m.seq, time, subject: m.subject, headers, payload: m.data })}\n`)) await once(gzip, "drain");
          result.messages += 1;
          result.firstSeq ??= m.seq;
          result.lastSeq = m.seq;
        }
        // Nothing more to read (the rest aged out, or nothing at or after `since`).
        if (read === 0 && (await consumer.info()).num_pending === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }
  gzip.end();
  await once(opts.out, "finish");
  return result;
}
