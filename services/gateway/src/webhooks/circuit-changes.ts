// The endpoint circuit changes a request's delivery made (WebhookCircuitChanged), read from
// the event stream for its webhook log: a handful per request at most (each is made by an
// attempt or a probe of its own chains), so they are not projected into a table of their own.
// The attempts come from the read model: with the broker away the log is still answered,
// its circuit list null (unknown just now) rather than a 503 for the whole log.
import { ChorusEvent, type Topology, type WebhookCircuitView } from "@chorus/contracts";
import { nextMessageOn, type JetStreamManager } from "@chorus/platform";
import type { BrokerState } from "../broker/state.ts";

/** More than a request's chains can make (an open and a half-open per failed probe, each an attempt); past it the log is cut. */
const MOST_CHANGES = 200;

/** The changes, oldest first; null when the broker cannot be read now. */
export async function circuitChangesOf(deps: { jsm: JetStreamManager; topology: Topology; broker: BrokerState }, requestId: string): Promise<WebhookCircuitView[] | null> {
  const { jsm, topology: t } = deps;
  if (!deps.broker.isUp()) return null;
  const subject = t.subjects.requestEvent(requestId, "webhook.circuit");
  const changes: WebhookCircuitView[] = [];
  try {
    for (let seq = 1; changes.length < MOST_CHANGES; ) {
      const m = await nextMessageOn(jsm, t.streams.events, subject, seq);
      if (!m) break;
      seq = m.seq + 1;
      const parsed = ChorusEvent.safeParse(m.json());
      if (!parsed.success || parsed.data.type !== "WebhookCircuitChanged") continue;
      const { state, endpoint, failures, next_probe_at } = parsed.data.data;
      changes.push({ state, endpoint, failures, next_probe_at, changed_at: parsed.data.occurred_at });
    }
  } catch {
    return null;
  }
  return changes;
}
