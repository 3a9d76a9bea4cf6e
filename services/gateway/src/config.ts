// The gateway's configuration: the environment's names (the earlier service's, where it
// had them), validated once at start, and the settings the app takes from them.
import { z } from "zod";
import { BaseConfig, DatabaseConfig, envBoolean, envInt } from "@chorus/platform";
import { SecretKeyConfig } from "@chorus/webhook-security";
import type { GatewaySettings } from "./deps.ts";
import { DEFAULT_MAX_TEXT_LENGTH, MIN_TEXT_LENGTH } from "./processing/schema.ts";

export const GatewayConfig = BaseConfig.extend(DatabaseConfig.shape).extend({
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

export type GatewayConfig = z.infer<typeof GatewayConfig>;

export function gatewaySettings(config: GatewayConfig): GatewaySettings {
  return {
    tenantId: config.CHORUS_TENANT_ID,
    agentTimeoutMs: config.AGENT_TIMEOUT_MS,
    maxTextLength: config.MAX_TEXT_LENGTH,
    maxBodyBytes: config.MAX_BODY_BYTES,
    processWaitTimeoutMs: config.PROCESS_WAIT_TIMEOUT_MS,
    corsOrigins: config.CORS_ORIGINS,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    webhookInboundSecret: config.WEBHOOK_INBOUND_SECRET,
  };
}
