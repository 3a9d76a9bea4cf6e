// Starts the selected agents in this process: the provider's models first (so the
// first task is not slow), then one durable consumer per agent.
import type { AgentId, Topology } from "@chorus/contracts";
import type { ConsumerHandle, JetStreamClient, JetStreamManager, Logger } from "@chorus/platform";
import type { AgentProvider } from "./providers/provider.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./run-task.ts";
import { ensureTaskConsumer, runTaskConsumer, type TaskConsumerSettings } from "./task-consumer.ts";

export type AgentsDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  logger: Logger;
  provider: AgentProvider;
  agents: readonly AgentId[];
  concurrency: number;
  ackWaitMs: number;
  maxDeliver: number;
  retry?: RetryPolicy;
};

export type Agents = {
  agents: readonly AgentId[];
  /** True while every agent's consumer is pulling. */
  running(): boolean;
  /** Stops pulling; in-flight tasks finish and are acked (on the connection's drain). */
  stop(): Promise<void>;
};

export async function startAgents(deps: AgentsDeps): Promise<Agents> {
  const { logger, provider } = deps;
  const settings: TaskConsumerSettings = {
    concurrency: deps.concurrency,
    ackWaitMs: deps.ackWaitMs,
    maxDeliver: deps.maxDeliver,
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
  };
  if (provider.prepare) {
    const started = performance.now();
    await provider.prepare();
    logger.info({ provider: provider.name, ms: Math.round(performance.now() - started) }, "provider prepared");
  }

  const consumers: ConsumerHandle[] = [];
  const stop = async () => {
    await Promise.all(consumers.map((c) => c.stop()));
  };
  try {
    for (const agent of deps.agents) {
      await ensureTaskConsumer(deps.jsm, deps.topology, agent, settings);
      consumers.push(await runTaskConsumer({ js: deps.js, topology: deps.topology, logger, provider, agent, settings }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info(
    {
      provider: provider.name,
      agents: deps.agents,
      models: Object.fromEntries(deps.agents.map((a) => [a, provider.modelFor(a)])),
      concurrency: settings.concurrency,
      ack_wait_ms: settings.ackWaitMs,
      max_deliver: settings.maxDeliver,
    },
    "agents running",
  );
  return {
    agents: deps.agents,
    running: () => consumers.length === deps.agents.length && consumers.every((c) => c.isRunning()),
    stop,
  };
}
