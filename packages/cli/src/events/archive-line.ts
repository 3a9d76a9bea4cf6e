// One archived message as one NDJSON line: where it was stored (sequence, time), its
// subject, its headers (message id, trace context, event type) and its payload — as JSON
// when it is JSON, so an archive can be read and grepped, else base64 — so that an import
// stores the same bytes, under the same message id, in the same order.
import { z } from "zod";

export const ArchiveLine = z
  .object({
    seq: z.number().int().positive(),
    time: z.iso.datetime({ offset: true }),
    subject: z.string().min(1),
    headers: z.record(z.string(), z.array(z.string())),
    data: z.unknown().optional(),
    data_base64: z.string().optional(),
  })
  .refine((line) => (line.data === undefined) !== (line.data_base64 === undefined), { message: "a line carries data or data_base64, not both" });

export type ArchiveLine = z.infer<typeof ArchiveLine>;

export type ArchivedMessage = { seq: number; time: Date; subject: string; headers: Record<string, string[]>; payload: Uint8Array };

export function toLine(m: ArchivedMessage): string {
  const text = new TextDecoder("utf-8", { fatal: true });
  let data: unknown;
  try {
    const decoded = text.decode(m.payload);
    const parsed: unknown = JSON.parse(decoded);
    // Only when writing it back gives the very same bytes.
    if (JSON.stringify(parsed) === decoded) data = parsed;
  } catch {
    data = undefined;
  }
  const line: ArchiveLine = {
    seq: m.seq,
    time: m.time.toISOString(),
    subject: m.subject,
    headers: m.headers,
    ...(data === undefined ? { data_base64: Buffer.from(m.payload).toString("base64") } : { data }),
  };
  return JSON.stringify(line);
}

/** The message a line describes; throws with the line number when it is not one. */
export function fromLine(text: string, lineNumber: number): ArchivedMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`line ${lineNumber} is not JSON`);
  }
  const parsed = ArchiveLine.safeParse(json);
  if (!parsed.success) throw new Error(`line ${lineNumber} is not an archived message: ${parsed.error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; ")}`);
  const line = parsed.data;
  const payload = line.data_base64 !== undefined ? new Uint8Array(Buffer.from(line.data_base64, "base64")) : new TextEncoder().encode(JSON.stringify(line.data));
  return { seq: line.seq, time: new Date(line.time), subject: line.subject, headers: line.headers, payload };
}
