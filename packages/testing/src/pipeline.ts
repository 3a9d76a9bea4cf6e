// The whole pipeline as separate processes for end-to-end tests: orchestrator, agents,
// projector and gateway on an isolated NATS prefix and database. Stopped in reverse
// order, like a rolling shutdown: the gateway stops taking work first.
import { randomBytes } from "node:crypto";
import { isolatedDatabase, isolatedNats, type IsolatedDatabase, type IsolatedNats } from "./fixtures.ts";
import { freePort, startService, stopCleanly, type RunningService } from "./processes.ts";

export type RunningPipeline = {
  nats: IsolatedNats;
  db: IsolatedDatabase;
  gateway: RunningService;
  /** The gateway's gRPC port (chorus.v1.Orchestration). */
  grpcPort: number;
  /** With `auth`: the bootstrap admin key (CHORUS_ADMIN_KEY) the gateways were started with. */
  adminKey: string | undefined;
  /** What every process was started with: for another replica of a service, say. */
  env: Record<string, string>;
  /** Starts one more process of `name` on this pipeline's NATS and database, stopped with the rest. */
  startReplica(name: string, env?: Record<string, string>): Promise<RunningService>;
  /** Stops every process and cleans up; rejects, with its output, if a process did not exit cleanly on SIGTERM. */
  stop(): Promise<void>;
};

export type PipelineOptions = {
  /** For every process (after the isolated NATS and database settings). */
  env?: Record<string, string>;
  /** For the agents process only. */
  agentsEnv?: Record<string, string>;
  /** For the gateway process only. */
  gatewayEnv?: Record<string, string>;
  /** API keys required (CHORUS_AUTH=required) with a random bootstrap admin key; off otherwise, as in most tests. */
  auth?: boolean;
};

export async function startPipeline(options: PipelineOptions = {}): Promise<RunningPipeline> {
  const nats = await isolatedNats();
  const db = await isolatedDatabase();
  const adminKey = options.auth ? randomBytes(32).toString("base64url") : undefined;
  const authEnv: Record<string, string> = adminKey ? { CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: adminKey } : {};
  const env = { ...nats.env, DATABASE_URL: db.url, LOG_LEVEL: "warn", ...authEnv, ...options.env };
  const services: RunningService[] = [];
  const stop = async () => {
    try {
      await stopCleanly(services);
    } finally {
      await nats.cleanup();
      await db.cleanup();
    }
  };
  try {
    services.push(await startService("orchestrator", env));
    services.push(await startService("agents", { ...env, ...options.agentsEnv }));
    services.push(await startService("projector", env));
    const grpcPort = await freePort();
    const gateway = await startService("gateway", { ...env, GRPC_PORT: String(grpcPort), ...options.gatewayEnv });
    services.push(gateway);
    const startReplica = async (name: string, extra: Record<string, string> = {}) => {
      const replica = await startService(name, { ...env, ...extra });
      services.push(replica);
      return replica;
    };
    return { nats, db, gateway, grpcPort, adminKey, env, startReplica, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
