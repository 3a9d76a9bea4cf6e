// Starts the selected agents in this process: the provider's models first (so the
// first task is not slow), then each agent's two durable consumers.
import type { AgentId } from "@chorus/contracts";
import { sharedSlots, startConsumerGroup, type ConsumerGroup, type StreamClients } from "@chorus/platform";
import type { AgentProvider } from "./providers/provider.ts";
import { DEFAULT_STARTED_AFTER_MS } from "./slow-start.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./task-outcome.ts";
import { ensureAcceptConsumer, runAcceptConsumer } from "./accept-consumer.ts";
import { ensureTaskConsumer, runTaskConsumer, type TaskConsumerSettings } from "./task-consumer.ts";

export type AgentsDeps = StreamClients & {
  provider: AgentProvider;
  agents: readonly AgentId[];
  concurrency: number;
  ackWaitMs: number;
  maxDeliver: number;
  retry?: RetryPolicy;
  /** How long a run goes before its AgentStarted is recorded, ms; 0 records every start. */
  startedAfterMs?: number;
};

/** Each agent's accept and task consumers: `stop` stops pulling (in-flight tasks finish and are acked on the connection's drain). */
export type Agents = ConsumerGroup & { agents: readonly AgentId[] };

export async function startAgents(deps: AgentsDeps): Promise<Agents> {
  const { logger, provider } = deps;
  const settings: TaskConsumerSettings = {
    concurrency: deps.concurrency,
    ackWaitMs: deps.ackWaitMs,
    maxDeliver: deps.maxDeliver,
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
    startedAfterMs: deps.startedAfterMs ?? DEFAULT_STARTED_AFTER_MS,
  };
  if (provider.prepare) {
    const started = performance.now();
    await provider.prepare();
    logger.info({ provider: provider.name, ms: Math.round(performance.now() - started) }, "provider prepared");
  }

  // Two inputs per agent: the accepts of parallel requests, which dispatch every agent they
  // list, and the tasks the orchestrator sends (sequential mode, and accepts of version 1),
  // sharing the agent's `concurrency` run slots.
  const consumers = await startConsumerGroup(
    deps.agents.flatMap((agent) => {
      const consumerDeps = { js: deps.js, topology: deps.topology, logger, provider, agent, settings, slots: sharedSlots(settings.concurrency) };
      return [
        async () => {
          await ensureAcceptConsumer(deps.jsm, deps.topology, agent, settings);
          return runAcceptConsumer(consumerDeps);
        },
        async () => {
          await ensureTaskConsumer(deps.jsm, deps.topology, agent, settings);
          return runTaskConsumer(consumerDeps);
        },
      ];
    }),
  );
  logger.info(
    {
      provider: provider.name,
      agents: deps.agents,
      models: Object.fromEntries(deps.agents.map((a) => [a, provider.modelFor(a)])),
      concurrency: settings.concurrency,
      ack_wait_ms: settings.ackWaitMs,
      max_deliver: settings.maxDeliver,
      started_after_ms: settings.startedAfterMs,
    },
    "task consumers running",
  );
  return { ...consumers, agents: deps.agents };
}
