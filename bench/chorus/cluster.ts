// Chorus as real processes for a benchmark: orchestrator, agents, projector (and
// webhooks when it exists) and the gateway on an isolated NATS prefix and database.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startService, type IsolatedDatabase, type IsolatedNats, type RunningService } from "@chorus/testing";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** `bench`: answers at once, or after `delayMs`; `local`: the offline NLP; `openai`: an OpenAI-compatible server at `baseURL`. */
export type AgentSettings =
  | { provider: "bench"; delayMs: number; concurrency: number }
  | { provider: "local"; concurrency: number }
  | { provider: "openai"; baseURL: string; concurrency: number };

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
  /** Write CPU profiles (`node --cpu-prof`) into a folder per service under this one; the largest file of a folder is the main thread. */
  profileDir?: string;
};

function agentsEnv(settings: AgentSettings): Record<string, string> {
  const common = { AGENT_PROVIDER: settings.provider, AGENT_CONCURRENCY: String(settings.concurrency) };
  switch (settings.provider) {
    case "bench":
      return { ...common, BENCH_AGENT_DELAY_MS: String(settings.delayMs) };
    case "local":
      return common;
    case "openai":
      // No shared rate limit, and as many calls in flight as task slots: the server's latency is what is measured.
      return { ...common, OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: settings.baseURL, OPENAI_MAX_CONCURRENCY: String(settings.concurrency * 3) };
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const base = { ...options.nats.env, DATABASE_URL: options.db.url, LOG_LEVEL: "warn" };
  const env = (service: string): Record<string, string> =>
    options.profileDir ? { ...base, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.profileDir}/${service}` } : base;
  const running: Record<string, RunningService> = {};
  const stopAll = async () => {
    for (const name of ["gateway", "webhooks", "projector", "agents", "orchestrator"]) await running[name]?.stop();
  };
  try {
    running.orchestrator = await startService("orchestrator", env("orchestrator"));
    running.agents = await startService("agents", { ...env("agents"), ...agentsEnv(options.agents), GRPC_PORT: "0" });
    running.projector = await startService("projector", env("projector"));
    if (existsSync(`${repoRoot}services/webhooks/src/main.ts`)) running.webhooks = await startService("webhooks", env("webhooks"));
    running.gateway = await startService("gateway", { ...env("gateway"), GRPC_PORT: "0", HOST: "127.0.0.1" });
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    gateway: running.gateway,
    services: () => ({ ...running }),
    async restartAgents(settings) {
      await running.agents?.stop();
      running.agents = await startService("agents", { ...env("agents"), ...agentsEnv(settings), GRPC_PORT: "0" });
    },
    stop: stopAll,
  };
}
