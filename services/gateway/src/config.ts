// The gateway's configuration: the environment's names (the earlier service's, where it
// had them), validated once at start, and the settings the app takes from them.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_MAX_TEXT_LENGTH, MIN_TEXT_LENGTH } from "@chorus/contracts";
import { BaseConfig, ConfigError, DatabaseConfig, envBoolean, envInt } from "@chorus/platform";
import { SecretKeyConfig, WebhookPortsConfig, refineWebhookKeys } from "@chorus/webhook-security";
import { hashApiKey } from "./auth/index.ts";
import type { GatewaySettings } from "./deps.ts";

export const GatewayConfig = BaseConfig.extend(DatabaseConfig.shape).extend({
  PORT: envInt(0, 65_535).default(8000),
  GRPC_PORT: envInt(0, 65_535).default(50051),
  HOST: z.string().min(1).default("0.0.0.0"),
  MAX_TEXT_LENGTH: envInt(MIN_TEXT_LENGTH, 1_000_000).default(DEFAULT_MAX_TEXT_LENGTH),
  MAX_BODY_BYTES: envInt(1024, 64 * 1024 * 1024).default(256 * 1024),
  PROCESS_WAIT_TIMEOUT_MS: envInt(0, 600_000).default(30_000),
  // The same variable and bounds as the orchestrator's: the deadline is fixed on the request when it is accepted.
  AGENT_TIMEOUT_MS: envInt(100, 24 * 3600_000).default(60_000),
  // No browser origin may call the API unless listed ("*" for any).
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean)),
  // Webhook keys (docs/security.md): a keyring, current first, or one key; checked together with NODE_ENV below (refineWebhookKeys).
  WEBHOOK_SECRET_KEY: SecretKeyConfig.optional(),
  WEBHOOK_SECRET_KEYS: SecretKeyConfig.optional(),
  WEBHOOK_FINGERPRINT_KEY: SecretKeyConfig.optional(),
  NODE_ENV: z.string().optional(),
  WEBHOOK_ALLOW_PRIVATE: envBoolean.default(false),
  WEBHOOK_ALLOWED_PORTS: WebhookPortsConfig,
  WEBHOOK_INBOUND_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  // The earlier service's X-Webhook-Signature on POST /webhook/receive: it cannot stop replays, so off unless asked for.
  WEBHOOK_INBOUND_ALLOW_LEGACY: envBoolean.default(false),
  // API keys (docs/security.md): `off` keeps the earlier service's open API, for a trusted network only.
  CHORUS_AUTH: z.enum(["required", "off"]).default("required"),
  // An empty value (a Secret's placeholder) is unset.
  CHORUS_ADMIN_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().min(32, "must be at least 32 characters").optional()),
  CHORUS_ADMIN_KEY_FILE: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional()),
  API_RATE_LIMIT_PER_MINUTE: envInt(1, 1_000_000).default(600),
  API_MAX_STREAMS_PER_KEY: envInt(1, 100_000).default(20),
  API_REQUEST_TIMEOUT_MS: envInt(1_000, 3_600_000).default(30_000),
  GRPC_REFLECTION: envBoolean.default(false),
  // /metrics, /livez, /readyz with details, away from the public API port (0 picks a free
  // port). Unset, the probes answer on PORT as before (compose and the manifests set 9000).
  OPS_PORT: envInt(0, 65_535).optional(),
})
  .refine((c) => c.OPS_PORT === undefined || c.OPS_PORT === 0 || (c.OPS_PORT !== c.PORT && c.OPS_PORT !== c.GRPC_PORT), {
    path: ["OPS_PORT"],
    message: "must differ from PORT and GRPC_PORT",
  })
  .superRefine(refineWebhookKeys);

export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** CHORUS_ADMIN_KEY, or the contents of CHORUS_ADMIN_KEY_FILE (one of them, at most). */
export function adminKeyOf(config: Pick<GatewayConfig, "CHORUS_ADMIN_KEY" | "CHORUS_ADMIN_KEY_FILE">): string | undefined {
  if (config.CHORUS_ADMIN_KEY !== undefined && config.CHORUS_ADMIN_KEY_FILE !== undefined) {
    throw new ConfigError("invalid configuration: set CHORUS_ADMIN_KEY or CHORUS_ADMIN_KEY_FILE, not both");
  }
  if (config.CHORUS_ADMIN_KEY_FILE === undefined) return config.CHORUS_ADMIN_KEY;
  let key: string;
  try {
    key = readFileSync(config.CHORUS_ADMIN_KEY_FILE, "utf8").trim();
  } catch (err) {
    throw new ConfigError(`invalid configuration: CHORUS_ADMIN_KEY_FILE cannot be read: ${(err as Error).message}`);
  }
  if (key.length < 32) throw new ConfigError("invalid configuration: CHORUS_ADMIN_KEY_FILE: the key in the file must be at least 32 characters");
  return key;
}

export function gatewaySettings(config: GatewayConfig): GatewaySettings {
  const adminKey = adminKeyOf(config);
  return {
    tenantId: config.CHORUS_TENANT_ID,
    auth: {
      mode: config.CHORUS_AUTH,
      adminKeyHash: adminKey === undefined ? undefined : hashApiKey(adminKey),
      rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
      maxStreamsPerKey: config.API_MAX_STREAMS_PER_KEY,
    },
    requestTimeoutMs: config.API_REQUEST_TIMEOUT_MS,
    grpcReflection: config.GRPC_REFLECTION,
    agentTimeoutMs: config.AGENT_TIMEOUT_MS,
    maxTextLength: config.MAX_TEXT_LENGTH,
    maxBodyBytes: config.MAX_BODY_BYTES,
    processWaitTimeoutMs: config.PROCESS_WAIT_TIMEOUT_MS,
    corsOrigins: config.CORS_ORIGINS,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    webhookAllowedPorts: config.WEBHOOK_ALLOWED_PORTS,
    webhookInboundSecret: config.WEBHOOK_INBOUND_SECRET,
    webhookInboundAllowLegacy: config.WEBHOOK_INBOUND_ALLOW_LEGACY,
  };
}
