// Chorus as real processes for a benchmark: orchestrator, agents, projector (and
// webhooks when it exists) and the gateway on an isolated NATS prefix and database, with
// API keys required as in production (one key, its rate limit out of the way).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApiKey, startService, type IsolatedDatabase, type IsolatedNats, type RunningService } from "@chorus/testing";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * `bench`: answers at once, or after `delayMs`; `local`: the offline NLP; `openai`: an
 * OpenAI-compatible server at `baseURL`, with `concurrency` task slots and no shared rate
 * limit, or on the service's default settings when `concurrency` is left out.
 */
export type AgentSettings =
  | { provider: "bench"; delayMs: number; concurrency: number }
  | { provider: "local"; concurrency: number }
  | { provider: "openai"; baseURL: string; concurrency?: number };

export type Cluster = {
  gateway: RunningService;
  /** The key every call sends (requests:write and requests:read); none with `auth: false`. */
  apiKey: string | undefined;
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
  /** For every service, after the cluster's own settings. */
  env?: Record<string, string>;
  /** API keys required (the default, as in production); false runs the open API of CHORUS_AUTH=off, to compare. */
  auth?: boolean;
  /** Write CPU profiles (`node --cpu-prof`) into a folder per service under this one; the largest file of a folder is the main thread. */
  profileDir?: string;
};

function agentsEnv(settings: AgentSettings): Record<string, string> {
  if (settings.provider === "openai" && settings.concurrency === undefined) {
    // What a new user sets: the provider, a key and the server; everything else as shipped.
    return { AGENT_PROVIDER: "openai", OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: settings.baseURL };
  }
  const common = { AGENT_PROVIDER: settings.provider, AGENT_CONCURRENCY: String(settings.concurrency) };
  switch (settings.provider) {
    case "bench":
      return { ...common, BENCH_AGENT_DELAY_MS: String(settings.delayMs) };
    case "local":
      return common;
    case "openai":
      // No shared rate limit (the maximums), and as many calls in flight as task slots: the server's latency is what is measured.
      return {
        ...common,
        OPENAI_API_KEY: "sk-bench",
        OPENAI_BASE_URL: settings.baseURL,
        OPENAI_MAX_CONCURRENCY: String((settings.concurrency ?? 1) * 3),
        OPENAI_RPM_LIMIT: "10000000",
        OPENAI_TPM_LIMIT: "1000000000",
      };
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const adminKey = randomBytes(32).toString("base64url");
  const base = { ...options.nats.env, DATABASE_URL: options.db.url, LOG_LEVEL: "warn", ...options.env };
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
    const auth: Record<string, string> = options.auth === false ? { CHORUS_AUTH: "off" } : { CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: adminKey };
    running.gateway = await startService("gateway", { ...env("gateway"), GRPC_PORT: "0", HOST: "127.0.0.1", ...auth });
  } catch (err) {
    await stopAll();
    throw err;
  }
  const apiKey =
    options.auth === false
      ? undefined
      : (await createApiKey(running.gateway.url, adminKey, { tenant: "bench", name: "bench", scopes: ["requests:write", "requests:read"], rate_limit_per_minute: 1_000_000 })).key;
  return {
    gateway: running.gateway,
    apiKey,
    services: () => ({ ...running }),
    async restartAgents(settings) {
      await running.agents?.stop();
      running.agents = await startService("agents", { ...env("agents"), ...agentsEnv(settings), GRPC_PORT: "0" });
    },
    stop: stopAll,
  };
}
