// Support for the orchestrator's integration tests: fake agents that pull their tasks
// from the tasks stream and their parallel runs from the accepts, like the real ones do, and requests submitted as the gateway does.
import { randomUUID } from "node:crypto";
import {
  acceptSubmission,
  AgentTask,
  messageIds,
  RequestAccepted,
  SubmitRequest,
  taskFromAccept,
  type AgentId,
  type AgentOutputs,
  type ChorusEvent,
  type CommandOf,
  type EventOf,
  type OrchestrationMode,
  type Topology,
} from "@chorus/contracts";
import { ensureDurable, publishEvent, publishValidated, runConsumer, type ConsumerHandle, type JetStreamClient } from "@chorus/platform";
import { testLogger, type IsolatedNats } from "@chorus/testing";

export const AGENTS: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];

export const OUTPUTS: AgentOutputs = {
  summarizer: { summary: "A budget was approved.", key_points: ["budget approved"] },
  sentiment: { label: "positive", score: 0.5, confidence: 0.9 },
  entity_extractor: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }] },
};

export type FakeAgents = {
  /** Every task received, in arrival order. */
  tasks: AgentTask[];
  stop(): Promise<void>;
};

/** Pulls `task.<agent>` and the accepts for each agent with plain durables and hands each task to `onTask`. */
export async function startFakeAgents(nats: IsolatedNats, agents: AgentId[], onTask: (task: AgentTask) => Promise<void> | void): Promise<FakeAgents> {
  const t = nats.topology;
  const tasks: AgentTask[] = [];
  const handles: ConsumerHandle[] = [];
  const run = async (task: AgentTask) => {
    tasks.push(task);
    await onTask(task);
  };
  for (const agent of agents) {
    const durable = `fake-${agent}`;
    await ensureDurable(nats.jsm, { stream: t.streams.tasks, durable, filterSubject: t.subjects.task(agent), ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 1_000 });
    handles.push(
      await runConsumer({ js: nats.js, topology: t, stream: t.streams.tasks, durable, schema: AgentTask, concurrency: 32, maxDeliver: 5, logger: testLogger, handle: run }),
    );
    // Parallel requests' agents run straight from the accept (version 2), as the real ones do.
    const acceptsDurable = `fake-${agent}-accepted`;
    await ensureDurable(nats.jsm, { stream: t.streams.events, durable: acceptsDurable, filterSubject: t.subjects.requestAccepts, ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 1_000 });
    handles.push(
      await runConsumer({
        js: nats.js,
        topology: t,
        stream: t.streams.events,
        durable: acceptsDurable,
        schema: RequestAccepted,
        concurrency: 32,
        maxDeliver: 5,
        logger: testLogger,
        handle: async (accepted) => {
          const task = taskFromAccept(accepted, agent);
          if (task) await run(task);
        },
      }),
    );
  }
  return { tasks, stop: async () => void (await Promise.all(handles.map((h) => h.stop()))) };
}

/** What a real agent publishes when it succeeds, under the shared outcome message id. */
export function completeTask(js: JetStreamClient, t: Topology, task: AgentTask, msgID = messageIds.outcome(task.request_id, task.data.agent)) {
  return publishEvent(js, t, completionOf(task), { msgID });
}

export function completionOf(task: AgentTask): EventOf<"AgentCompleted"> {
  return {
    id: randomUUID(),
    type: "AgentCompleted",
    version: 1,
    request_id: task.request_id,
    tenant_id: task.tenant_id,
    occurred_at: new Date().toISOString(),
    correlation_id: task.correlation_id,
    data: { agent: task.data.agent, provider: "fake", model: "fake-1", output: OUTPUTS[task.data.agent], duration_ms: 1, usage: null },
  };
}

export function submitCommand(mode: OrchestrationMode, agents: AgentId[] = AGENTS, requestId: string = randomUUID()): CommandOf<"SubmitRequest"> {
  return {
    id: randomUUID(),
    type: "SubmitRequest",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: `corr-${requestId}`,
    data: {
      text: "Apple approved a new budget in London on Monday after months of debate.",
      orchestration_mode: mode,
      agents,
      webhook: null,
      idempotency_key: null,
      fingerprint: null,
    },
  };
}

/** Records a request's RequestAccepted the way the gateway does (or an earlier one, with `version: 1`), with the gateway's agent timeout (30 s unless given). */
export async function submit(
  nats: IsolatedNats,
  mode: OrchestrationMode,
  agents: AgentId[] = AGENTS,
  options: { msgID?: string; agentTimeoutMs?: number; version?: 1 | 2 } = {},
): Promise<EventOf<"RequestAccepted">> {
  const current = acceptSubmission(submitCommand(mode, agents), { id: randomUUID(), occurredAt: new Date().toISOString(), agentTimeoutMs: options.agentTimeoutMs ?? 30_000 });
  // Version 1, as a gateway before the accept dispatched parallel agents recorded it.
  const { dispatch: _, ...v1 } = current.data;
  const accepted: EventOf<"RequestAccepted"> = options.version === 1 ? { ...current, version: 1, data: v1 } : current;
  await publishEvent(nats.js, nats.topology, accepted, { msgID: options.msgID ?? messageIds.accepted(accepted.request_id) });
  return accepted;
}

/** Publishes a SubmitRequest command, as a gateway of an earlier version did for the orchestrator to accept. */
export async function submitCommandOfEarlierGateway(nats: IsolatedNats, mode: OrchestrationMode, agents: AgentId[] = AGENTS, msgID?: string): Promise<CommandOf<"SubmitRequest">> {
  const command = submitCommand(mode, agents);
  await publishValidated(nats.js, nats.topology.subjects.submit, SubmitRequest, command, { msgID: msgID ?? messageIds.submit(command.request_id) });
  return command;
}

export const isEnd = (e: ChorusEvent) => e.type === "RequestCompleted" || e.type === "RequestFailed";
