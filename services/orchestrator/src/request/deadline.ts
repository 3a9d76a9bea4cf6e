// When a scheduled deadline check should look again. The schedule lives in JetStream
// (a delayed redelivery of the command), so it survives restarts of every replica.
import type { CheckAgentDeadline } from "./decide.ts";

/** Milliseconds until the deadline; 0 once it has passed and the check is due. */
export function msUntilDeadline(check: CheckAgentDeadline, now: Date): number {
  return Math.max(0, Date.parse(check.data.deadline_at) - now.getTime());
}
