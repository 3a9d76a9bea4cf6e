// Entry of the agents service: reads its configuration, chooses the provider, runs the
// selected agents' task consumers and the /livez and /readyz probes until SIGTERM.
import type { Server } from "node:http";
import { z } from "zod";
import { BaseConfig, bootService, ConfigError, envInt, natsCheck, onShutdown, startProbeServer } from "@chorus/platform";
import { parseAgentSelection } from "./agent-selection.ts";
import type { AgentProvider } from "./providers/provider.ts";
import { PROVIDER_SETTINGS, selectProvider } from "./providers/select.ts";
import { startAgents, type Agents } from "./start-agents.ts";

const AgentsConfig = BaseConfig.extend({
  PORT: envInt(1, 65_535).default(8082),
  /** "all", one agent, or a comma list. */
  AGENT: z
    .string()
    .default("all")
    .transform((value, ctx) => {
      const selection = parseAgentSelection(value);
      if (selection.ok) return selection.agents;
      ctx.addIssue({ code: "custom", message: selection.message });
      return z.NEVER;
    }),
  AGENT_PROVIDER: z.string().trim().toLowerCase().pipe(z.enum(PROVIDER_SETTINGS)).default("auto"),
  OPENAI_API_KEY: z.string().optional(),
  AGENT_CONCURRENCY: envInt(1, 256).default(4),
  AGENT_ACK_WAIT_MS: envInt(1_000, 12 * 3600_000).default(30_000),
  AGENT_MAX_DELIVER: envInt(1, 100).default(5),
});

const { config, logger, topology, nc, js, jsm } = await bootService("agents", AgentsConfig, process.env);

let provider: AgentProvider;
try {
  provider = selectProvider({ setting: config.AGENT_PROVIDER, openAiApiKey: config.OPENAI_API_KEY });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`agents: ${err.message}\n`);
  await nc.close();
  process.exit(78); // EX_CONFIG, as for any other invalid configuration
}
logger.info({ provider: provider.name, agent_provider: config.AGENT_PROVIDER, agents: config.AGENT }, "agents starting");

let agents: Agents | undefined;
// The probes come up first, so /livez answers while the models load and /readyz says why it is not ready yet.
const server: Server = await startProbeServer({
  port: config.PORT,
  readiness: {
    nats: natsCheck(nc),
    consumers: () => {
      if (!agents) throw new Error("starting");
      if (!agents.running()) throw new Error("a task consumer stopped");
    },
    provider: () => provider.check(),
  },
});

onShutdown(
  logger,
  [
    { name: "task consumers", close: () => agents?.stop() },
    { name: "probe server", close: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    // Drain flushes the acks of the tasks that finished while stopping.
    { name: "nats", close: () => nc.drain() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);

try {
  agents = await startAgents({
    js,
    jsm,
    topology,
    logger,
    provider,
    agents: config.AGENT,
    concurrency: config.AGENT_CONCURRENCY,
    ackWaitMs: config.AGENT_ACK_WAIT_MS,
    maxDeliver: config.AGENT_MAX_DELIVER,
  });
} catch (err) {
  logger.fatal({ err }, "agents failed to start");
  process.exit(1);
}
logger.info({ port: config.PORT }, "agents ready");
