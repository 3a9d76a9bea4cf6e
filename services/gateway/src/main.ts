// The gateway process: reads and validates its environment, connects (NATS now;
// Postgres in the background, so ingest works while it is down), serves REST and the
// probes on PORT, and shuts down in order on SIGTERM.
import { z } from "zod";
import { BaseConfig, DatabaseConfig, ConfigError, SecretKeyConfig, bootService, envBoolean, envInt, exitWithConfigError, observeConsumerLag, onShutdown, resolveWebhookSecretKey } from "@chorus/platform";
import { connectDatabaseInBackground } from "./database/link.ts";
import { DEFAULT_MAX_TEXT_LENGTH, MIN_TEXT_LENGTH } from "./processing/schema.ts";
import { startGrpcGateway } from "./grpc/index.ts";
import { startGateway } from "./server.ts";

const GatewayConfig = BaseConfig.extend(DatabaseConfig.shape).extend({
  PORT: envInt(0, 65_535).default(8000),
  GRPC_PORT: envInt(0, 65_535).default(50051),
  HOST: z.string().min(1).default("0.0.0.0"),
  MAX_TEXT_LENGTH: envInt(MIN_TEXT_LENGTH, 1_000_000).default(DEFAULT_MAX_TEXT_LENGTH),
  MAX_BODY_BYTES: envInt(1024, 64 * 1024 * 1024).default(256 * 1024),
  PROCESS_WAIT_TIMEOUT_MS: envInt(0, 600_000).default(30_000),
  // The same variable and bounds as the orchestrator's: the deadline is fixed on the request when it is accepted.
  AGENT_TIMEOUT_MS: envInt(100, 24 * 3600_000).default(60_000),
  CORS_ORIGINS: z
    .string()
    .default("*")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean)),
  WEBHOOK_SECRET_KEY: SecretKeyConfig.optional(),
  NODE_ENV: z.string().optional(),
  WEBHOOK_ALLOW_PRIVATE: envBoolean.default(false),
  WEBHOOK_INBOUND_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
});

const { config, logger, topology, nc, js, jsm, probes } = await bootService("gateway", GatewayConfig, process.env);
observeConsumerLag({ jsm, topology });

let webhookSecretKey;
try {
  webhookSecretKey = resolveWebhookSecretKey(config, logger);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  exitWithConfigError("gateway", err);
}

const database = connectDatabaseInBackground({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, logger });
const gatewayDeps = {
  logger,
  topology,
  nc,
  js,
  jsm,
  database,
  webhookSecretKey,
  settings: {
    tenantId: config.CHORUS_TENANT_ID,
    agentTimeoutMs: config.AGENT_TIMEOUT_MS,
    maxTextLength: config.MAX_TEXT_LENGTH,
    maxBodyBytes: config.MAX_BODY_BYTES,
    processWaitTimeoutMs: config.PROCESS_WAIT_TIMEOUT_MS,
    corsOrigins: config.CORS_ORIGINS,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    webhookInboundSecret: config.WEBHOOK_INBOUND_SECRET,
  },
};
// The app serves its own probes (and the API) on PORT: the start-up probes make way for it.
await probes.close();
const gateway = await startGateway({ ...gatewayDeps, port: config.PORT, host: config.HOST });
logger.info({ port: gateway.port, host: config.HOST }, "gateway listening");
const grpcGateway = await startGrpcGateway({ ...gatewayDeps, port: config.GRPC_PORT, host: config.HOST });
logger.info({ port: grpcGateway.port, host: config.HOST }, "gateway gRPC listening");

onShutdown(
  logger,
  [
    { name: "http", close: () => gateway.stop() },
    { name: "grpc", close: () => grpcGateway.stop() },
    { name: "nats", close: () => nc.drain() },
    { name: "database", close: () => database.close() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);
