import { describe, expect, it } from "vitest";
import { ConfigError } from "@chorus/platform";
import { DEVELOPMENT_WEBHOOK_SECRET_KEY, openSecret, parseSecretKey, resolveWebhookSecretKey, sealSecret } from "./secrets.ts";

function recordingLogger() {
  const warnings: unknown[] = [];
  return { warnings, logger: { warn: (...args: unknown[]) => void warnings.push(args) } as never };
}

describe("resolveWebhookSecretKey", () => {
  it("parses the configured key, in production too, without a warning", () => {
    const { warnings, logger } = recordingLogger();
    const hex = "ab".repeat(32);
    const key = resolveWebhookSecretKey({ WEBHOOK_SECRET_KEY: hex, NODE_ENV: "production" }, logger);
    expect(key.equals(Buffer.from(hex, "hex"))).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("refuses to run in production without a key", () => {
    const { logger } = recordingLogger();
    expect(() => resolveWebhookSecretKey({ NODE_ENV: "production" }, logger)).toThrow(ConfigError);
    expect(() => resolveWebhookSecretKey({ NODE_ENV: "production" }, logger)).toThrow("WEBHOOK_SECRET_KEY is required in production");
  });

  it("falls back to the development key elsewhere, with a warning, so every service opens what another sealed", () => {
    const { warnings, logger } = recordingLogger();
    const key = resolveWebhookSecretKey({ NODE_ENV: "development" }, logger);
    expect(key.equals(parseSecretKey(DEVELOPMENT_WEBHOOK_SECRET_KEY))).toBe(true);
    expect(warnings).toHaveLength(1);
    const other = resolveWebhookSecretKey({}, logger);
    expect(openSecret(other, sealSecret(key, "s3cret-value-123"))).toBe("s3cret-value-123");
  });
});
