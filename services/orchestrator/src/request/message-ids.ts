// The Nats-Msg-Id of everything the orchestrator publishes, derived from what is decided,
// so that two replicas (or one retry) making the same decision store it once.
import { deadlineAgents, messageIds, type AgentTask, type ChorusEvent } from "@chorus/contracts";
import type { CheckAgentDeadline } from "./decide.ts";

export function eventMessageId(event: ChorusEvent): string {
  switch (event.type) {
    case "RequestAccepted":
      return messageIds.accepted(event.request_id);
    case "AgentDispatched":
      return messageIds.dispatched(event.request_id, event.data.agent);
    case "AgentCompleted":
    case "AgentFailed":
      // Shared with the agent's own outcome: whichever is stored first is the outcome.
      return messageIds.outcome(event.request_id, event.data.agent);
    case "RequestCompleted":
    case "RequestFailed":
      return messageIds.end(event.request_id);
    case "AgentStarted":
    case "WebhookAttempted":
    case "WebhookDelivered":
    case "WebhookExhausted":
    case "RequestErased":
    case "WebhookCircuitChanged":
      throw new Error(`the orchestrator does not publish ${event.type}`);
    default: {
      const unknown: never = event;
      throw new Error(`no message id for event ${JSON.stringify(unknown)}`);
    }
  }
}

export function taskMessageId(task: AgentTask): string {
  return messageIds.task(task.request_id, task.data.agent);
}

export function deadlineMessageId(check: CheckAgentDeadline): string {
  return messageIds.deadline(check.request_id, deadlineAgents(check));
}
