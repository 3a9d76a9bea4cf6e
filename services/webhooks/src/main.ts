// The webhook service's entry: configuration from the environment, the consumers, the
// probe server and a graceful shutdown. The only file that reads process.env.
import { z } from "zod";
import { BaseConfig, ConfigError, SecretKeyConfig, bootService, envBoolean, envInt, exitWithConfigError, metricsRoutes, natsCheck, observeConsumerLag, onShutdown, resolveWebhookSecretKey } from "@chorus/platform";
import { startWebhooks } from "./webhooks.ts";

const Config = BaseConfig.extend({
  PORT: envInt(0, 65_535).default(8084),
  /** Seconds an attempt may take before it counts as a timeout (the earlier service's name and unit). */
  WEBHOOK_TIMEOUT: z.coerce.number().positive().max(600).default(10),
  WEBHOOK_MAX_RETRIES: envInt(0, 50).default(5),
  WEBHOOK_BACKOFF_BASE_MS: envInt(1, 3_600_000).default(1_000),
  WEBHOOK_MAX_BACKOFF_MS: envInt(1, 24 * 3_600_000).default(3_600_000),
  /** Lets webhooks reach loopback and private addresses: local development and tests only. */
  WEBHOOK_ALLOW_PRIVATE: envBoolean.default(false),
  WEBHOOK_CONCURRENCY: envInt(1, 1_000).default(16),
  WEBHOOK_SECRET_KEY: SecretKeyConfig.optional(),
  NODE_ENV: z.string().optional(),
});

const { config, logger, topology, nc, js, jsm, probes, startStep } = await bootService("webhooks", Config, process.env);

let secretKey;
try {
  secretKey = resolveWebhookSecretKey(config, logger);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  exitWithConfigError("webhooks", err);
}
if (config.WEBHOOK_ALLOW_PRIVATE) logger.warn("WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses");

const timeoutMs = Math.round(config.WEBHOOK_TIMEOUT * 1000);
const webhooks = await startStep("starting consumers", () =>
  startWebhooks({
    js,
    jsm,
    topology,
    logger,
    secretKey,
    policy: { maxRetries: config.WEBHOOK_MAX_RETRIES, baseMs: config.WEBHOOK_BACKOFF_BASE_MS, maxDelayMs: config.WEBHOOK_MAX_BACKOFF_MS },
    timeoutMs,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    concurrency: config.WEBHOOK_CONCURRENCY,
  }),
);

observeConsumerLag({ jsm, topology });

// /metrics serves chorus_webhook_attempts and chorus_webhook_deliveries, counted as the events are recorded.
const probeServer = probes.serve({
  routes: metricsRoutes(),
  readiness: {
    nats: natsCheck(nc),
    consumers: () => {
      if (!webhooks.isRunning()) throw new Error("consumers are not running");
    },
  },
});

onShutdown(
  logger,
  [
    { name: "consumers", close: () => webhooks.stop() },
    { name: "probe server", close: () => new Promise<void>((resolve) => probeServer.close(() => resolve())) },
    { name: "nats", close: () => nc.drain() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);

logger.info({ port: config.PORT, timeout_ms: timeoutMs, max_retries: config.WEBHOOK_MAX_RETRIES, concurrency: config.WEBHOOK_CONCURRENCY }, "webhooks running");
