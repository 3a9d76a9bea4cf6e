// The orchestrator service's entry: configuration from the environment, the consumers,
// the probe server, and a graceful shutdown. The only file that reads process.env.
import { BaseConfig, bootService, envInt, metricsRoutes, natsCheck, observeConsumerLag, onShutdown } from "@chorus/platform";
import { startOrchestrator } from "./orchestrator.ts";

const Config = BaseConfig.extend({
  PORT: envInt(1, 65_535).default(8081),
  /** Per-agent time limit: an agent run without an outcome by then is recorded as failed (timeout). */
  AGENT_TIMEOUT_MS: envInt(100, 24 * 3600_000).default(60_000),
  ORCHESTRATOR_CONCURRENCY: envInt(1, 1_000).default(16),
});

const { config, logger, topology, nc, js, jsm, probes, startStep } = await bootService("orchestrator", Config, process.env);

const orchestrator = await startStep("starting consumers", () =>
  startOrchestrator({
    js,
    jsm,
    topology,
    logger,
    agentTimeoutMs: config.AGENT_TIMEOUT_MS,
    concurrency: config.ORCHESTRATOR_CONCURRENCY,
  }),
);

observeConsumerLag({ jsm, topology });
const probeServer = probes.serve({
  routes: metricsRoutes(),
  readiness: {
    nats: natsCheck(nc),
    consumers: () => {
      if (!orchestrator.isRunning()) throw new Error("consumers are not running");
    },
  },
});

onShutdown(
  logger,
  [
    { name: "consumers", close: () => orchestrator.stop() },
    { name: "probe server", close: () => new Promise<void>((resolve) => probeServer.close(() => resolve())) },
    { name: "nats", close: () => nc.drain() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);

logger.info({ port: config.PORT, agent_timeout_ms: config.AGENT_TIMEOUT_MS, concurrency: config.ORCHESTRATOR_CONCURRENCY }, "orchestrator running");
