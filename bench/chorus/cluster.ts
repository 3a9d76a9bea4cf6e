// Chorus as real processes for a benchmark: orchestrator, agents, projector (and
// webhooks when it exists) and the gateway on an isolated NATS prefix and database.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startService, type IsolatedDatabase, type IsolatedNats, type RunningService } from "@chorus/testing";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export type AgentSettings = { provider: "bench" | "local"; delayMs: number; concurrency: number };

export type Cluster = {
  gateway: RunningService;
  /** Every running service by name. */
  services(): Record<string, RunningService>;
  /** Replaces the agents process with one of these settings (the other services keep running). */
  restartAgents(settings: AgentSettings): Promise<void>;
  stop(): Promise<void>;
};

export type ClusterOptions = {
  nats: IsolatedNats;
  db: IsolatedDatabase;
  agents: AgentSettings;
  /** Node options for the orchestrator, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  orchestratorNodeOptions?: string;
};

function agentsEnv(settings: AgentSettings): Record<string, string> {
  return { AGENT_PROVIDER: settings.provider, BENCH_AGENT_DELAY_MS: String(settings.delayMs), AGENT_CONCURRENCY: String(settings.concurrency) };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  // The gateway gets no AGENT_PROVIDER: its health report knows auto/local/openai only, and the setting does not change its work.
  const env = { ...options.nats.env, DATABASE_URL: options.db.url, LOG_LEVEL: "warn" };
  const running: Record<string, RunningService> = {};
  const stopAll = async () => {
    for (const name of ["gateway", "webhooks", "projector", "agents", "orchestrator"]) await running[name]?.stop();
  };
  try {
    running.orchestrator = await startService("orchestrator", {
      ...env,
      ...(options.orchestratorNodeOptions ? { NODE_OPTIONS: options.orchestratorNodeOptions } : {}),
    });
    running.agents = await startService("agents", { ...env, ...agentsEnv(options.agents), GRPC_PORT: "0" });
    running.projector = await startService("projector", env);
    if (existsSync(`${repoRoot}services/webhooks/src/main.ts`)) running.webhooks = await startService("webhooks", env);
    running.gateway = await startService("gateway", { ...env, GRPC_PORT: "0", HOST: "127.0.0.1" });
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    gateway: running.gateway,
    services: () => ({ ...running }),
    async restartAgents(settings) {
      await running.agents?.stop();
      running.agents = await startService("agents", { ...env, ...agentsEnv(settings), GRPC_PORT: "0" });
    },
    stop: stopAll,
  };
}
