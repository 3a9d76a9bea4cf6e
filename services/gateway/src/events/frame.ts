// One Server-Sent Events frame per recorded event, and the Last-Event-ID it resumes
// from. Pure: the id is the event's stream sequence, so a resumed stream continues exactly.
import type { ChorusEvent } from "@chorus/contracts";
import { publicEvent } from "../views/public-event.ts";

/** `id`, `event` (the event type) and `data` (the event's public view as JSON, one line). */
export function sseFrame(seq: number, event: ChorusEvent): string {
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(publicEvent(event))}\n\n`;
}

/** A comment line: keeps proxies from closing a quiet stream; clients ignore it. */
export const SSE_KEEPALIVE = ": keep-alive\n\n";

/** The stream sequence to resume after, or undefined for "from the start" or a value that is no sequence. */
export function resumeAfter(lastEventId: string | undefined): number | undefined {
  if (lastEventId === undefined || !/^\d{1,15}$/.test(lastEventId.trim())) return undefined;
  return Number(lastEventId.trim());
}
