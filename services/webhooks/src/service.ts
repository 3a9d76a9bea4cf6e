// The webhook service: its configuration and how it starts, as runService takes it
// (main.ts runs it alone in a process; services/run.ts beside other services).
import { z } from "zod";
import { BaseConfig, consumersRunning, envBoolean, envInt, defineService } from "@chorus/platform";
import { SecretKeyConfig, WebhookPortsConfig, refineWebhookKeys, resolveWebhookKeys } from "@chorus/webhook-security";
import { DEFAULT_RETRY_SCHEDULE, DEFAULT_RETRY_SCHEDULE_MS, chainDeadlineMs, doublingSchedule, parseRetrySchedule } from "./delivery/index.ts";
import { LAST_RESORT_DELIVERIES } from "./durables.ts";
import { SEND_DEFAULTS } from "./send.ts";
import { startWebhooks } from "./start-webhooks.ts";

const RetryScheduleConfig = z.string().transform((text, ctx) => {
  const parsed = parseRetrySchedule(text);
  if (!Array.isArray(parsed)) {
    ctx.addIssue({ code: "custom", message: `a comma-separated list of waits such as ${DEFAULT_RETRY_SCHEDULE}: ${parsed.error}` });
    return z.NEVER;
  }
  return parsed;
});

const Config = BaseConfig.extend({
  PORT: envInt(0, 65_535).default(8084),
  /** Seconds an attempt may take before it counts as a timeout (the earlier service's name and unit). */
  WEBHOOK_TIMEOUT: z.coerce.number().positive().max(600).default(10),
  /** Ms to make the connection (TCP and TLS), within WEBHOOK_TIMEOUT: an unreachable receiver fails fast. */
  WEBHOOK_CONNECT_TIMEOUT_MS: envInt(1, 600_000).default(SEND_DEFAULTS.connectTimeoutMs),
  /** Bytes of a receiver's answer read at most; the rest is cut off (only the status matters). */
  WEBHOOK_MAX_RESPONSE_BYTES: envInt(0, 16 * 1024 * 1024).default(SEND_DEFAULTS.maxResponseBytes),
  WEBHOOK_MAX_RETRIES: envInt(0, 50).default(5),
  /** Waits before the 1st, 2nd, … retry, e.g. "5s,5m,30m,2h,5h,10h"; retries beyond the list wait its last entry. */
  WEBHOOK_RETRY_SCHEDULE: RetryScheduleConfig.optional(),
  /** Earlier setting: unless WEBHOOK_RETRY_SCHEDULE is set, the schedule doubles from this (base, 2·base, 4·base…). */
  WEBHOOK_BACKOFF_BASE_MS: envInt(1, 3_600_000).optional(),
  /** How long a delivery chain may go on (attempts, and waits for an open circuit) before it is exhausted; default: its schedule's waits ×1.2 and an hour. */
  WEBHOOK_CHAIN_DEADLINE_MS: envInt(1_000, 30 * 24 * 3_600_000).optional(),
  /** The longest wait a Retry-After may ask for (and, with WEBHOOK_BACKOFF_BASE_MS, the longest doubled wait). */
  WEBHOOK_MAX_BACKOFF_MS: envInt(1, 24 * 3_600_000).default(3_600_000),
  /** Lets webhooks reach loopback and private addresses: local development and tests only. */
  WEBHOOK_ALLOW_PRIVATE: envBoolean.default(false),
  /** Ports a webhook URL may name unless WEBHOOK_ALLOW_PRIVATE: comma-separated, 80 and 443 by default. */
  WEBHOOK_ALLOWED_PORTS: WebhookPortsConfig,
  /** Webhook sends in flight at once in this process. */
  WEBHOOK_CONCURRENCY: envInt(1, 1_000).default(16),
  /** Of those, sends to one endpoint (scheme, host and port): a slow or dead receiver holds no more. */
  WEBHOOK_ENDPOINT_CONCURRENCY: envInt(1, 1_000).default(4),
  /** Failing attempts in a row (no answer, 5xx, 429) that open an endpoint's circuit; 0 turns circuit breaking off. */
  WEBHOOK_CIRCUIT_FAILURES: envInt(0, 1_000).default(5),
  /** How long an open circuit waits before one delivery probes the endpoint. */
  WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS: envInt(100, 24 * 3_600_000).default(30_000),
  /** The gateway's keyring (or its one key), to open what it sealed: the same value as the gateway's. */
  WEBHOOK_SECRET_KEY: SecretKeyConfig.optional(),
  WEBHOOK_SECRET_KEYS: SecretKeyConfig.optional(),
  NODE_ENV: z.string().optional(),
  // A missing, weak or placeholder key in production is a bad variable: exit 78 before NATS.
}).superRefine(refineWebhookKeys);

export function webhooksService(env: Record<string, string | undefined>) {
  return defineService({
    name: "webhooks",
    config: Config,
    env,
    async start({ config, js, jsm, topology, logger, startStep }) {
      // Any key of the ring opens what it sealed; only the gateway seals (and needs the fingerprint key).
      const { ring: keyring } = resolveWebhookKeys(config, logger);
      if (config.WEBHOOK_ALLOW_PRIVATE) logger.warn("WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses");
      const timeoutMs = Math.round(config.WEBHOOK_TIMEOUT * 1000);
      const scheduleMs =
        config.WEBHOOK_RETRY_SCHEDULE ??
        (config.WEBHOOK_BACKOFF_BASE_MS !== undefined ? doublingSchedule(config.WEBHOOK_BACKOFF_BASE_MS, config.WEBHOOK_MAX_RETRIES, config.WEBHOOK_MAX_BACKOFF_MS) : DEFAULT_RETRY_SCHEDULE_MS);
      const retries = { maxRetries: config.WEBHOOK_MAX_RETRIES, scheduleMs, maxRetryAfterMs: config.WEBHOOK_MAX_BACKOFF_MS };
      const deadlineMs = config.WEBHOOK_CHAIN_DEADLINE_MS ?? chainDeadlineMs(retries);
      // A chain waiting on a circuit is woken about once per probe interval, and each wake is a
      // delivery of its message: the deadline must end the wait well before the durables'
      // last-resort delivery limit would dead-letter it.
      const deadlineCapMs = config.WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS * Math.floor(LAST_RESORT_DELIVERIES / 2);
      if (config.WEBHOOK_CIRCUIT_FAILURES > 0 && deadlineMs > deadlineCapMs) {
        logger.warn({ deadline_ms: deadlineMs, cap_ms: deadlineCapMs }, "WEBHOOK_CHAIN_DEADLINE_MS allows more circuit waits than a message's deliveries: it is cut to fit WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS");
      }
      const policy = { ...retries, chainDeadlineMs: config.WEBHOOK_CIRCUIT_FAILURES > 0 ? Math.min(deadlineMs, deadlineCapMs) : deadlineMs };
      const consumers = await startStep("starting consumers", () =>
        startWebhooks({
          js,
          jsm,
          topology,
          logger,
          keyring,
          policy,
          timeoutMs,
          connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT_MS,
          maxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES,
          allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
          allowedPorts: config.WEBHOOK_ALLOWED_PORTS,
          concurrency: config.WEBHOOK_CONCURRENCY,
          endpointConcurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY,
          circuit: { failures: config.WEBHOOK_CIRCUIT_FAILURES, openMs: config.WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS },
        }),
      );
      // /metrics serves the chorus_webhook_* series (attempts, deliveries, circuit changes, durations), counted as the events are recorded.
      return {
        readiness: { consumers: consumersRunning(consumers) },
        closers: [{ name: "consumers", close: () => consumers.stop() }],
        summary: { timeout_ms: timeoutMs, connect_timeout_ms: config.WEBHOOK_CONNECT_TIMEOUT_MS, max_retries: config.WEBHOOK_MAX_RETRIES, retry_schedule_ms: scheduleMs.slice(0, config.WEBHOOK_MAX_RETRIES), concurrency: config.WEBHOOK_CONCURRENCY, endpoint_concurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY, circuit_failures: config.WEBHOOK_CIRCUIT_FAILURES, circuit_probe_interval_ms: config.WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS },
      };
    },
  });
}
