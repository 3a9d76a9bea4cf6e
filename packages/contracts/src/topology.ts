// Stream and subject names. Everything hangs off one prefix ("chorus" in production)
// so that tests, and tenants of one NATS account, can run side by side in isolation.
import type { AgentId } from "./agents.ts";
import type { ChorusEvent, ChorusEventType } from "./events.ts";

/** The subject suffix each event type is published under, after `<prefix>.ev.request.<id>.`. */
export function eventSubjectSuffix(event: Pick<ChorusEvent, "type" | "data">): string {
  switch (event.type) {
    case "RequestAccepted":
      return "accepted";
    case "AgentDispatched":
      return `agent.${agentOf(event)}.dispatched`;
    case "AgentStarted":
      return `agent.${agentOf(event)}.started`;
    case "AgentCompleted":
      return `agent.${agentOf(event)}.completed`;
    case "AgentFailed":
      return `agent.${agentOf(event)}.failed`;
    case "RequestCompleted":
      return "completed";
    case "RequestFailed":
      return "failed";
    case "WebhookAttempted":
      return "webhook.attempted";
    case "WebhookDelivered":
      return "webhook.delivered";
    case "WebhookExhausted":
      return "webhook.exhausted";
    case "RequestErased":
      return "erased";
    case "WebhookCircuitChanged":
      return "webhook.circuit";
    default: {
      const unknown: never = event.type;
      throw new Error(`no subject for event type ${String(unknown)}`);
    }
  }
}

function agentOf(event: Pick<ChorusEvent, "data">): AgentId {
  return (event.data as { agent: AgentId }).agent;
}

export type Topology = ReturnType<typeof topology>;

export function topology(prefix = "chorus") {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`subject prefix must be one token of [A-Za-z0-9_-], got "${prefix}"`);
  const streamPrefix = prefix.toUpperCase().replace(/-/g, "_");
  return {
    prefix,
    streams: {
      commands: `${streamPrefix}_COMMANDS`,
      events: `${streamPrefix}_EVENTS`,
      tasks: `${streamPrefix}_TASKS`,
      deadLetters: `${streamPrefix}_DEADLETTER`,
      /** API key created and revoked events: kept for as long as the keys they describe. */
      keys: `${streamPrefix}_KEYS`,
    },
    subjects: {
      allCommands: `${prefix}.cmd.>`,
      submit: `${prefix}.cmd.submit`,
      agentDeadline: `${prefix}.cmd.agent-deadline`,
      /** One request's manual redelivery: a subject of its own, so "none pending" is an expected-sequence check. */
      webhookRedeliver: (requestId: string) => `${prefix}.cmd.webhook-redeliver.${requestId}`,
      /** Every request's manual redeliveries (the webhook service's filter). */
      webhookRedelivers: `${prefix}.cmd.webhook-redeliver.*`,
      allEvents: `${prefix}.ev.>`,
      /** The events of one request on one subject suffix (see eventSubjectSuffix), e.g. `accepted`. */
      requestEvent: (requestId: string, suffix: string) => `${prefix}.ev.request.${requestId}.${suffix}`,
      /** Every event of one request. */
      requestEvents: (requestId: string) => `${prefix}.ev.request.${requestId}.>`,
      /** Agent lifecycle events of every request. */
      agentEvents: `${prefix}.ev.request.*.agent.>`,
      /** One kind of agent outcome of every request (what the orchestrator reacts to). */
      agentOutcomes: (outcome: "completed" | "failed") => `${prefix}.ev.request.*.agent.*.${outcome}`,
      /** Every request's RequestAccepted (what the orchestrator starts a request from). */
      requestAccepts: `${prefix}.ev.request.*.accepted`,
      /** End events of every request, by end: `completed` or `failed`. */
      requestEnds: (end: "completed" | "failed") => `${prefix}.ev.request.*.${end}`,
      event: (requestId: string, event: Pick<ChorusEvent, "type" | "data">) =>
        `${prefix}.ev.request.${requestId}.${eventSubjectSuffix(event)}`,
      allKeyEvents: `${prefix}.keys.>`,
      /** One API key's events (`created`, `revoked`). */
      keyEvent: (keyId: string, suffix: "created" | "revoked") => `${prefix}.keys.${keyId}.${suffix}`,
      allTasks: `${prefix}.task.>`,
      task: (agent: AgentId) => `${prefix}.task.${agent}`,
      allDeadLetters: `${prefix}.dlq.>`,
      /** Where a message that can never be handled goes, keyed by where it came from. */
      deadLetter: (fromSubject: string) => `${prefix}.dlq.${fromSubject}`,
    },
  } as const;
}

/**
 * `Nats-Msg-Id`s derived from what is decided, so that a retried publish, a redelivered
 * message and two replicas making the same decision all collapse into one message.
 */
export const messageIds = {
  submit: (requestId: string) => `${requestId}:submit`,
  accepted: (requestId: string) => `${requestId}:accepted`,
  dispatched: (requestId: string, agent: AgentId) => `${requestId}:${agent}:dispatched`,
  task: (requestId: string, agent: AgentId) => `${requestId}:${agent}:task`,
  deadline: (requestId: string, agents: readonly AgentId[]) => `${requestId}:${agents.join(",")}:deadline`,
  started: (requestId: string, agent: AgentId, delivery: number) => `${requestId}:${agent}:started:${delivery}`,
  /** One outcome per agent run: a completion and a timeout race to this id, the first wins. */
  outcome: (requestId: string, agent: AgentId) => `${requestId}:${agent}:outcome`,
  end: (requestId: string) => `${requestId}:end`,
  erased: (requestId: string) => `${requestId}:erased`,
  keyEvent: (keyId: string, suffix: "created" | "revoked") => `${keyId}:${suffix}`,
} as const;

export type { ChorusEventType };
