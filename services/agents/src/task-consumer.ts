// Pulls one agent's tasks from JetStream and runs each: the provider call under the task's
// deadline (with an AgentStarted only when it runs longer than a moment, see slow-start.ts),
// then AgentCompleted/AgentFailed and the ack — or a nak with a delay when the provider
// says trying again later could help.
import { randomUUID } from "node:crypto";
import { AgentTask, messageIds, type AgentId, type Topology } from "@chorus/contracts";
import {
  ensureDurable,
  publishEvent,
  requestLogger,
  runConsumer,
  type ConsumerHandle,
  type Delivery,
  type HandleResult,
  type JetStreamClient,
  type JetStreamManager,
  type Logger,
  type SharedSlots,
} from "@chorus/platform";
import { callProvider } from "./provider-call.ts";
import type { AgentProvider } from "./providers/provider.ts";
import { runRecordingSlowStart } from "./slow-start.ts";
import { decideOutcome, isPastDeadline, startedEvent, type NewEnvelope, type RetryPolicy } from "./task-outcome.ts";

export type TaskConsumerSettings = {
  /** Tasks of this agent run at once in this process. */
  concurrency: number;
  /** How long a task may go without an ack or a heartbeat before it is redelivered, ms. */
  ackWaitMs: number;
  maxDeliver: number;
  retry: RetryPolicy;
  /** How long a run goes before its AgentStarted is recorded, ms; 0 records every start. */
  startedAfterMs: number;
};

const durableName = (agent: AgentId) => `agent-${agent}`;

// max_ack_pending counts every replica's unacked tasks together, including those pulled
// ahead of a free slot: room for 8 replicas each running `concurrency` and pulling as
// many ahead, while still bounding how many tasks sit unacked in client buffers.
export const ACK_PENDING_PER_SLOT = 16;

/** Creates (or updates) the agent's durable consumer on the tasks stream; every replica may run it. */
export async function ensureTaskConsumer(jsm: JetStreamManager, t: Topology, agent: AgentId, settings: TaskConsumerSettings) {
  await ensureDurable(jsm, {
    stream: t.streams.tasks,
    durable: durableName(agent),
    filterSubject: t.subjects.task(agent),
    ackWaitMs: settings.ackWaitMs,
    maxDeliver: settings.maxDeliver,
    maxAckPending: settings.concurrency * ACK_PENDING_PER_SLOT,
  });
}

export type TaskConsumerDeps = {
  js: JetStreamClient;
  topology: Topology;
  logger: Logger;
  provider: AgentProvider;
  agent: AgentId;
  settings: TaskConsumerSettings;
  /** The agent's run slots, shared by its two inputs (accepts and tasks): `settings.concurrency` in all. */
  slots?: SharedSlots;
};

const newEnvelope = (): NewEnvelope => ({ id: randomUUID(), occurredAt: new Date().toISOString() });

/** Runs one task to its outcome; the return value tells runConsumer to ack or to nak with a delay. */
export function taskHandler(deps: TaskConsumerDeps) {
  const { js, topology: t, provider, agent, settings } = deps;
  return async (task: AgentTask, delivery: Delivery): Promise<HandleResult> => {
    const log = requestLogger(deps.logger, task).child({ agent, task_id: task.id, delivery: delivery.deliveryCount });
    if (isPastDeadline(task, Date.now())) {
      log.info({ deadline_at: task.data.deadline_at }, "task is past its deadline and already timed out by the orchestrator; acked without running");
      return;
    }

    const model = provider.modelFor(agent);
    // AgentStarted only for a run still going after startedAfterMs (stored while the call
    // goes on, and before the outcome); every outcome carries when its run began.
    const { result: call, startedAt } = await runRecordingSlowStart(
      () => callProvider(provider, task, { everyMs: Math.max(100, Math.floor(settings.ackWaitMs / 3)), working: () => delivery.working() }),
      {
        afterMs: settings.startedAfterMs,
        recordStart: (at) =>
          publishEvent(js, t, startedEvent(task, { provider: provider.name, model, delivery: delivery.deliveryCount }, { id: randomUUID(), occurredAt: at }), {
            msgID: messageIds.started(task.request_id, agent, delivery.deliveryCount),
          }),
      },
    );
    const outcome = decideOutcome({
      task,
      provider: { name: provider.name, model },
      attempt: call.attempt,
      startedAt,
      durationMs: call.durationMs,
      delivery: { count: delivery.deliveryCount, max: settings.maxDeliver },
      retry: settings.retry,
      random: Math.random(),
      envelope: newEnvelope(),
    });
    if (outcome.kind === "retry") {
      log.warn({ error: outcome.error, retry_in_ms: outcome.retryInMs }, "provider failed; the task will be redelivered");
      return { retryInMs: outcome.retryInMs };
    }

    const ack = await publishEvent(js, t, outcome.event, { msgID: messageIds.outcome(task.request_id, agent) });
    const data = outcome.event.data;
    if (ack.duplicate) {
      // The orchestrator's timeout (or an earlier delivery) recorded this run's outcome first.
      log.info({ dropped: outcome.event.type }, "outcome already recorded; ours was a duplicate");
    } else if (outcome.event.type === "AgentFailed") {
      log.warn({ error: outcome.event.data.error, duration_ms: data.duration_ms }, "agent failed");
    } else {
      log.info({ duration_ms: data.duration_ms, model: data.model }, "agent completed");
    }
    // Thrown on the last delivery, so runConsumer copies the task to the dead-letter subject with this reason.
    if (outcome.deadLetter) throw new TaskExhausted(outcome.deadLetter);
  };
}

/** A task that failed on every delivery it was allowed; its AgentFailed is already recorded. */
export class TaskExhausted extends Error {
  override name = "TaskExhausted";
}

/** Starts pulling the agent's tasks; the durable must exist (ensureTaskConsumer). */
export function runTaskConsumer(deps: TaskConsumerDeps): Promise<ConsumerHandle> {
  const { topology: t, agent, settings } = deps;
  return runConsumer({
    js: deps.js,
    topology: t,
    stream: t.streams.tasks,
    durable: durableName(agent),
    // A task on another agent's subject is a publisher's bug: dead-lettered, never run.
    schema: AgentTask.refine((task) => task.data.agent === agent, { message: `not a task for ${agent}`, path: ["data", "agent"] }),
    concurrency: settings.concurrency,
    ...(deps.slots ? { slots: deps.slots } : {}),
    maxDeliver: settings.maxDeliver,
    logger: deps.logger.child({ agent }),
    handle: taskHandler(deps),
  });
}
