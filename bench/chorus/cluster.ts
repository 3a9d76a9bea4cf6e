// Chorus as real processes for a benchmark: orchestrator, agents, projector (and
// webhooks when it exists) and the gateway on an isolated NATS prefix and database, with
// API keys required as in production (one key, its rate limit out of the way).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApiKey, startService, startServiceGroup, type IsolatedDatabase, type IsolatedNats, type RunningService } from "@chorus/testing";
import { DEFAULT_PROCESSES, SERVICES } from "../../scripts/start/services.ts";

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
  /** The process the gateway runs in; its url is the gateway's. */
  gateway: RunningService;
  /** The key every call sends (requests:write and requests:read); none with `auth: false`. */
  apiKey: string | undefined;
  /** Every running process by name: a service's, or several services' as "gateway+agents". */
  services(): Record<string, RunningService>;
  /** The process a service runs in. */
  processOf(service: string): RunningService | undefined;
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
  /**
   * The services' processes: as npm start runs them (the default: DEFAULT_PROCESSES), or
   * "separate", one process per service, as the Kubernetes manifests and compose run them,
   * or a layout in START_PROCESSES's form ("gateway,agents orchestrator,webhooks projector").
   */
  processes?: string;
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

/** Which processes run which services. */
function processPlan(options: ClusterOptions): string[][] {
  const all = SERVICES.filter((s) => existsSync(`${repoRoot}${s.entry}`)).map((s) => s.name);
  if (options.processes === "separate") return all.map((name) => [name]);
  const layout = options.processes === undefined || options.processes === "npm-start" ? DEFAULT_PROCESSES : options.processes.split(/[\s;]+/).map((p) => p.split(/[,+]/));
  const plan = layout.map((names) => names.filter((n) => all.includes(n))).filter((names) => names.length > 0);
  const missing = all.filter((n) => !plan.flat().includes(n));
  if (missing.length > 0) throw new Error(`the process layout leaves out ${missing.join(", ")}`);
  const named = layout.flat();
  const wrong = named.filter((n, i) => !all.includes(n) || named.indexOf(n) !== i);
  if (wrong.length > 0) throw new Error(`the process layout names ${wrong.join(", ")} twice or as no service`);
  return plan;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const adminKey = randomBytes(32).toString("base64url");
  const base = { ...options.nats.env, DATABASE_URL: options.db.url, LOG_LEVEL: "warn", ...options.env };
  const auth: Record<string, string> = options.auth === false ? { CHORUS_AUTH: "off" } : { CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: adminKey };
  const plan = processPlan(options);
  const processName = (names: readonly string[]) => names.join("+");
  const running: Record<string, RunningService> = {};
  const portsOf: Record<string, Record<string, number>> = {};
  // Each process's variables: the agents' settings and the gateway's where they run (both
  // are read only by their own service, so a shared process can carry them as they are).
  const envOf = (names: readonly string[], agents: AgentSettings): Record<string, string> => {
    const profile: Record<string, string> = options.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.profileDir}/${processName(names)}` } : {};
    return {
      ...base,
      ...profile,
      ...(names.includes("agents") ? agentsEnv(agents) : {}),
      ...(names.includes("gateway") ? { HOST: "127.0.0.1", ...auth } : {}),
    };
  };
  const start = async (names: readonly string[], agents: AgentSettings) => {
    const name = processName(names);
    if (names.length === 1) {
      const alone = names[0] as string;
      running[name] = await startService(alone, { ...envOf(names, agents), GRPC_PORT: "0" });
    } else {
      const group = await startServiceGroup(names, envOf(names, agents), portsOf[name] ? { ports: portsOf[name] } : {});
      portsOf[name] = group.ports;
      running[name] = group;
    }
  };
  // The gateway's process starts last, when every other service is ready, and stops first, taking no more requests before the rest stop.
  const gatewayLast = [...plan].sort((a, b) => Number(a.includes("gateway")) - Number(b.includes("gateway")));
  const stopAll = async () => {
    for (const names of [...gatewayLast].reverse()) await running[processName(names)]?.stop();
  };
  const processOf = (service: string) => {
    const names = plan.find((p) => p.includes(service));
    return names ? running[processName(names)] : undefined;
  };
  try {
    for (const names of gatewayLast) await start(names, options.agents);
  } catch (err) {
    await stopAll();
    throw err;
  }
  const gateway = processOf("gateway") as RunningService;
  const apiKey =
    options.auth === false
      ? undefined
      : (await createApiKey(gateway.url, adminKey, { tenant: "bench", name: "bench", scopes: ["requests:write", "requests:read"], rate_limit_per_minute: 1_000_000 })).key;
  return {
    // Looked up each time: restartAgents may replace the gateway's process (same ports).
    get gateway() {
      return processOf("gateway") as RunningService;
    },
    apiKey,
    services: () => ({ ...running }),
    processOf,
    async restartAgents(settings) {
      // With the gateway in the same process, it comes back on the same ports, and the key stays (it is in NATS).
      const names = plan.find((p) => p.includes("agents")) as string[];
      await running[processName(names)]?.stop();
      await start(names, settings);
    },
    stop: stopAll,
  };
}
