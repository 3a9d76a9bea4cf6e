// Many events at once, from what is stored about their requests to the rows to write:
// each event is projected on the rows left by the ones before it (in stream order), and
// only the last version of each row is written. Pure. Projecting a batch gives the same
// rows as projecting its events one at a time, with one write per row instead of one per event.
import type { ChorusEvent } from "@chorus/contracts";
import { project } from "./project.ts";
import { NO_STORED_ROWS, type RowChange, type StoredRequestRows } from "./rows.ts";

export type SequencedEvent = { event: ChorusEvent; seq: number };

/** Per event: written, written without its requests-row part, or left to wait for that row. */
export type BatchOutcome = "applied" | "applied_without_request" | "waiting";

export type BatchProjection = {
  /** In the order of the events given. */
  outcomes: BatchOutcome[];
  /** One change per row (its last version); attempts once each. */
  changes: RowChange[];
  /** Stream sequences whose events were applied (with or without their requests-row part). */
  appliedSeqs: number[];
};

/** The rows after writing `changes`: what the next event of the request is projected on. */
export function withChanges(stored: StoredRequestRows, changes: readonly RowChange[]): StoredRequestRows {
  let next = stored;
  for (const change of changes) {
    switch (change.table) {
      case "requests":
        next = { ...next, request: change.row };
        break;
      case "agent_results":
        next = { ...next, agents: [...next.agents.filter((a) => a.agent !== change.row.agent), change.row] };
        break;
      case "webhook_attempts":
        if (!next.attempts.some((a) => a.event_id === change.row.event_id)) next = { ...next, attempts: [...next.attempts, change.row] };
        break;
      case "erasure":
        next = { ...next, agents: [], attempts: [] };
        break;
    }
  }
  return next;
}

function rowKey(change: RowChange): string {
  switch (change.table) {
    case "requests":
      return `requests:${change.row.request_id}`;
    case "agent_results":
      return `agent_results:${change.row.request_id}:${change.row.agent}`;
    case "webhook_attempts":
      return `webhook_attempts:${change.row.event_id}`;
    case "erasure":
      return `erasure:${change.request_id}`;
  }
}

export function projectBatch(
  events: readonly SequencedEvent[],
  stored: ReadonlyMap<string, StoredRequestRows>,
  options: { whenRequestMissing: "wait" | "apply" },
): BatchProjection {
  const rowsOf = new Map(stored);
  const latest = new Map<string, RowChange>();
  const outcomes: BatchOutcome[] = new Array(events.length);
  const appliedSeqs: number[] = [];
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.seq - events[b]!.seq);
  for (const i of order) {
    const { event, seq } = events[i]!;
    const rows = rowsOf.get(event.request_id) ?? NO_STORED_ROWS;
    const projection = project(event, seq, rows);
    if (projection.missing && options.whenRequestMissing === "wait") {
      outcomes[i] = "waiting";
      continue;
    }
    rowsOf.set(event.request_id, withChanges(rows, projection.changes));
    for (const change of projection.changes) {
      const key = rowKey(change);
      // Re-inserting moves the key last, so rows are written in the order they were last changed.
      latest.delete(key);
      latest.set(key, change);
    }
    outcomes[i] = projection.missing ? "applied_without_request" : "applied";
    appliedSeqs.push(seq);
  }
  return { outcomes, changes: [...latest.values()], appliedSeqs };
}
