// The gateway service: REST (with its own probes) on PORT, gRPC on GRPC_PORT, and the
// probes with /metrics on the internal OPS_PORT. NATS and the API keys are read before it
// starts; Postgres in the background, so ingest works while it is down. As runService
// takes it (main.ts runs it alone in a process; services/run.ts beside other services).
import { defineService } from "@chorus/platform";
import { resolveWebhookKeys } from "@chorus/webhook-security";
import { startAccess } from "./auth/index.ts";
import { acceptsDurable } from "./broker/accepts.ts";
import { GatewayConfig, gatewaySettings } from "./config.ts";
import { connectDatabaseInBackground } from "./database/link.ts";
import { startGrpcGateway } from "./grpc/index.ts";
import { startGateway } from "./server.ts";

export function gatewayService(env: Record<string, string | undefined>) {
  return defineService({
    name: "gateway",
    // A weak or placeholder webhook key in production is a bad variable: exit 78 before NATS.
    config: GatewayConfig,
    env,
    // The app answers /livez and /readyz on PORT beside the API.
    servesOwnProbes: true,
    async start({ config, logger, topology, nc, js, jsm, startStep }) {
      const webhookKeys = resolveWebhookKeys(config, logger);
      const settings = gatewaySettings(config);
      if (settings.auth.mode === "off") logger.warn("CHORUS_AUTH=off: the API is open to anyone who can reach it; use this on a trusted network only");
      else if (!settings.auth.adminKeyHash) logger.info("no CHORUS_ADMIN_KEY is set: only API keys created earlier can call the API");
      // One view of the API keys for REST and gRPC; calls wait until it has read every key.
      const access = startAccess({ js, jsm, topology, logger, defaultTenantId: settings.tenantId, auth: settings.auth });
      await startStep("reading API keys", () => access.keys.ready);
      const database = connectDatabaseInBackground({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, logger });
      // One ensure of the orchestrator's accepted-requests durable for REST and gRPC together.
      const ensureAccepts = acceptsDurable(jsm, topology);
      // Aborted by SIGTERM first, so /readyz on OPS_PORT fails while requests drain, as on PORT.
      const stopping = new AbortController();
      const deps = { logger, topology, nc, js, jsm, database, webhookKeys, ensureAccepts, access, settings, stopping: stopping.signal };
      const http = await startGateway({ ...deps, port: config.PORT, host: config.HOST });
      const grpc = await startGrpcGateway({ ...deps, port: config.GRPC_PORT, host: config.HOST });
      return {
        readiness: {
          accepting: () => {
            if (stopping.signal.aborted) throw new Error("stopping");
          },
        },
        closers: [
          { name: "readiness", close: async () => stopping.abort() },
          { name: "http", close: () => http.stop() },
          { name: "grpc", close: () => grpc.stop() },
          { name: "API keys", close: async () => access.stop() },
        ],
        closeAfterNats: [{ name: "database", close: () => database.close() }],
        summary: { port: http.port, grpc_port: grpc.port, host: config.HOST, auth: settings.auth.mode },
      };
    },
  });
}
