// The gateway process: REST (with its own probes) on PORT and gRPC on GRPC_PORT. NATS is
// connected before it starts; Postgres in the background, so ingest works while it is
// down. The only file that reads process.env; runService does the rest.
import { runService } from "@chorus/platform";
import { resolveWebhookSecretKey } from "@chorus/webhook-security";
import { acceptsDurable } from "./broker/accepts.ts";
import { GatewayConfig, gatewaySettings } from "./config.ts";
import { connectDatabaseInBackground } from "./database/link.ts";
import { startGrpcGateway } from "./grpc/index.ts";
import { startGateway } from "./server.ts";

await runService({
  name: "gateway",
  config: GatewayConfig,
  env: process.env,
  // The app answers /livez and /readyz on PORT beside the API.
  servesOwnProbes: true,
  async start({ config, logger, topology, nc, js, jsm }) {
    const webhookSecretKey = resolveWebhookSecretKey(config, logger);
    const database = connectDatabaseInBackground({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, logger });
    // One ensure of the orchestrator's accepted-requests durable for REST and gRPC together.
    const ensureAccepts = acceptsDurable(jsm, topology);
    const deps = { logger, topology, nc, js, jsm, database, webhookSecretKey, ensureAccepts, settings: gatewaySettings(config) };
    const http = await startGateway({ ...deps, port: config.PORT, host: config.HOST });
    const grpc = await startGrpcGateway({ ...deps, port: config.GRPC_PORT, host: config.HOST });
    return {
      closers: [
        { name: "http", close: () => http.stop() },
        { name: "grpc", close: () => grpc.stop() },
      ],
      closeAfterNats: [{ name: "database", close: () => database.close() }],
      summary: { port: http.port, grpc_port: grpc.port, host: config.HOST },
    };
  },
});
