// Records a decision in JetStream in an order that survives a crash at any point, with
// message ids derived from what is decided so duplicates (retries, replicas) collapse.
import { AgentTask, CheckAgentDeadline as CheckAgentDeadlineSchema, type ChorusEvent, type Topology } from "@chorus/contracts";
import { publishEvent, publishValidated, type JetStreamClient } from "@chorus/platform";
import { deadlineMessageId, eventMessageId, taskMessageId, type CheckAgentDeadline, type Decision } from "./request/index.ts";

/**
 * `superseded`: a claim was already stored by someone else between our load and our
 * publish (a concurrent accept, or the agent's own outcome beating our timeout); the
 * stored one wins and whoever handles it carries on, so the rest of ours is dropped.
 */
export type PublishResult = "recorded" | "superseded";

/** Facts the rest of the decision builds on: stored first, and only once. */
function isClaim(event: ChorusEvent): boolean {
  return event.type === "RequestAccepted" || event.type === "AgentFailed" || event.type === "AgentCompleted";
}

/**
 * Order: claims (accepted, a timeout outcome), then deadline commands with AgentDispatched,
 * then the tasks, then the end. Recording the dispatch before sending the task keeps the
 * audit trail causal (an agent's AgentStarted never precedes its AgentDispatched). A
 * crash after a claim is healed by the input's redelivery (the decider re-derives what
 * is due) or, for a timeout, by the agent-events consumer reacting to it; a crash between
 * AgentDispatched and its task is healed by the redelivery resending outstanding tasks
 * (see outstandingTasks), and the deadline already scheduled bounds the wait regardless.
 */
export async function publishDecision(
  js: JetStreamClient,
  t: Topology,
  decision: Decision,
  /** Told of each event this call newly stored (not of a duplicate: the stored one may differ). */
  stored: (event: ChorusEvent, seq: number) => void = () => undefined,
): Promise<PublishResult> {
  const claims = decision.events.filter(isClaim);
  const dispatches = decision.events.filter((e) => e.type === "AgentDispatched");
  const rest = decision.events.filter((e) => !isClaim(e) && e.type !== "AgentDispatched");
  const record = async (event: ChorusEvent) => {
    const ack = await publishEvent(js, t, event, { msgID: eventMessageId(event) });
    if (!ack.duplicate) stored(event, ack.seq);
    return ack;
  };
  for (const event of claims) {
    const ack = await record(event);
    if (ack.duplicate) return "superseded";
  }
  // Deadlines and dispatches in one round: neither depends on the other, and both are
  // stored before any task goes out. Each wait for an ack here is on a request's critical path.
  await Promise.all([publishDeadlines(js, t, decision.deadlines), ...dispatches.map(record)]);
  await publishTasks(js, t, decision.tasks);
  await Promise.all(rest.map(record));
  return "recorded";
}

export async function publishDeadlines(js: JetStreamClient, t: Topology, checks: CheckAgentDeadline[]): Promise<void> {
  await Promise.all(
    checks.map((check) =>
      publishValidated(js, t.subjects.agentDeadline, CheckAgentDeadlineSchema, check, { msgID: deadlineMessageId(check), correlationId: check.correlation_id }),
    ),
  );
}

export async function publishTasks(js: JetStreamClient, t: Topology, tasks: AgentTask[]): Promise<void> {
  await Promise.all(
    tasks.map((task) =>
      publishValidated(js, t.subjects.task(task.data.agent), AgentTask, task, { msgID: taskMessageId(task), correlationId: task.correlation_id }),
    ),
  );
}
