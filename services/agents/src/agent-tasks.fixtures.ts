// Fixtures for this service's integration and e2e tests: AgentTask messages published
// as the orchestrator publishes them, recorded events picked by type, and the agents
// started in-process with quick retries.
import { randomUUID } from "node:crypto";
import { AgentTask, messageIds, type AgentId, type ChorusEvent, type EventOf } from "@chorus/contracts";
import { publishValidated } from "@chorus/platform";
import { testLogger, type IsolatedNats } from "@chorus/testing";
import { startAgents, type Agents, type AgentsDeps } from "./start-agents.ts";

export const ARTICLE =
  "Tim Cook visited Berlin on 3 March 2024 to open a new store. " +
  "The visit was a wonderful success and the staff loved it. " +
  "Apple plans to hire two hundred people in the city next year.";

export function agentTask(agent: AgentId, data: Partial<AgentTask["data"]> = {}, requestId: string = randomUUID()): AgentTask {
  return AgentTask.parse({
    id: randomUUID(),
    type: "AgentTask",
    version: 1,
    request_id: requestId,
    tenant_id: "acme",
    occurred_at: new Date().toISOString(),
    correlation_id: `corr-${requestId.slice(0, 8)}`,
    data: {
      agent,
      text: ARTICLE,
      orchestration_mode: "parallel",
      context: {},
      deadline_at: new Date(Date.now() + 60_000).toISOString(),
      ...data,
    },
  });
}

export function publishTask(nats: IsolatedNats, task: AgentTask) {
  return publishValidated(nats.js, nats.topology.subjects.task(task.data.agent), AgentTask, task, {
    msgID: messageIds.task(task.request_id, task.data.agent),
    correlationId: task.correlation_id,
  });
}

export function ofType<T extends ChorusEvent["type"]>(events: ChorusEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

export async function tasksLeft(nats: IsolatedNats): Promise<number> {
  return (await nats.jsm.streams.info(nats.topology.streams.tasks)).state.messages;
}

/** The agents on the isolated NATS with the test's provider and agents, retrying within milliseconds. */
export function startTestAgents(nats: IsolatedNats, deps: Pick<AgentsDeps, "provider" | "agents"> & Partial<AgentsDeps>): Promise<Agents> {
  return startAgents({
    js: nats.js,
    jsm: nats.jsm,
    topology: nats.topology,
    logger: testLogger,
    concurrency: 4,
    ackWaitMs: 30_000,
    maxDeliver: 5,
    retry: { baseMs: 20, maxMs: 100 },
    ...deps,
  });
}
