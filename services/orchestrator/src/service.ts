// The orchestrator service: its configuration and how it starts, as runService takes it
// (main.ts runs it alone in a process; services/run.ts beside other services).
import { BaseConfig, consumersRunning, envInt, defineService } from "@chorus/platform";
import { startOrchestrator } from "./start-orchestrator.ts";

const Config = BaseConfig.extend({
  PORT: envInt(1, 65_535).default(8081),
  /** Per-agent time limit: an agent run without an outcome by then is recorded as failed (timeout). */
  AGENT_TIMEOUT_MS: envInt(100, 24 * 3600_000).default(60_000),
  ORCHESTRATOR_CONCURRENCY: envInt(1, 1_000).default(16),
});

export function orchestratorService(env: Record<string, string | undefined>) {
  return defineService({
    name: "orchestrator",
    config: Config,
    env,
    async start({ config, js, jsm, topology, logger, startStep }) {
      const consumers = await startStep("starting consumers", () =>
        startOrchestrator({
          js,
          jsm,
          topology,
          logger,
          agentTimeoutMs: config.AGENT_TIMEOUT_MS,
          concurrency: config.ORCHESTRATOR_CONCURRENCY,
          duplicateWindowMs: config.NATS_DUPLICATE_WINDOW_MS,
        }),
      );
      return {
        readiness: { consumers: consumersRunning(consumers) },
        closers: [{ name: "consumers", close: () => consumers.stop() }],
        summary: { agent_timeout_ms: config.AGENT_TIMEOUT_MS, concurrency: config.ORCHESTRATOR_CONCURRENCY },
      };
    },
  });
}
