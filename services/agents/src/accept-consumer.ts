// Runs one agent's part of each parallel request straight from its RequestAccepted
// (version 2: the accept is the dispatch), through the agent's own durable over accepts.
// The run itself is the task consumer's: the accept becomes the task it would have been.
// Accepts that do not dispatch this agent (sequential mode, version 1, not listed) are
// acked at once; the orchestrator sends those runs through the tasks stream.
import { RequestAccepted, taskFromAccept, type AgentId, type Topology } from "@chorus/contracts";
import { agentAcceptsDurable, agentAcceptsDurableName, ensureDurable, runConsumer, type ConsumerHandle, type JetStreamManager } from "@chorus/platform";
import { ACK_PENDING_PER_SLOT, taskHandler, type TaskConsumerDeps, type TaskConsumerSettings } from "./task-consumer.ts";

/** Creates (or updates, with this process's settings) the agent's durable over accepts. */
export async function ensureAcceptConsumer(jsm: JetStreamManager, t: Topology, agent: AgentId, settings: TaskConsumerSettings) {
  await ensureDurable(
    jsm,
    agentAcceptsDurable(t, agent, { ackWaitMs: settings.ackWaitMs, maxDeliver: settings.maxDeliver, maxAckPending: settings.concurrency * ACK_PENDING_PER_SLOT }),
  );
}

/** Starts pulling the agent's accepts; the durable must exist (ensureAcceptConsumer). */
export function runAcceptConsumer(deps: TaskConsumerDeps): Promise<ConsumerHandle> {
  const { topology: t, agent, settings } = deps;
  const run = taskHandler(deps);
  return runConsumer({
    js: deps.js,
    topology: t,
    stream: t.streams.events,
    durable: agentAcceptsDurableName(agent),
    schema: RequestAccepted,
    concurrency: settings.concurrency,
    ...(deps.slots ? { slots: deps.slots } : {}),
    maxDeliver: settings.maxDeliver,
    logger: deps.logger.child({ agent }),
    handle: async (accepted, delivery) => {
      const task = taskFromAccept(accepted, agent);
      return task ? run(task, delivery) : undefined;
    },
  });
}
