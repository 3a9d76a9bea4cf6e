import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@chorus/platform";
import { hashApiKey } from "./auth/index.ts";
import { GatewayConfig, gatewaySettings } from "./config.ts";

const ADMIN = "an-admin-key-of-at-least-32-characters!";

describe("the gateway's configuration", () => {
  it("requires API keys, allows no CORS origin and serves no gRPC reflection unless told otherwise", () => {
    const settings = gatewaySettings(GatewayConfig.parse({}));
    expect(settings.auth).toMatchObject({ mode: "required", adminKeyHash: undefined, rateLimitPerMinute: 600, maxStreamsPerKey: 20 });
    expect(settings.corsOrigins).toEqual([]);
    expect(settings.grpcReflection).toBe(false);
    expect(settings.requestTimeoutMs).toBe(30_000);
  });

  it("takes the admin key from CHORUS_ADMIN_KEY or CHORUS_ADMIN_KEY_FILE, keeping only its hash", () => {
    expect(gatewaySettings(GatewayConfig.parse({ CHORUS_ADMIN_KEY: ADMIN })).auth.adminKeyHash).toBe(hashApiKey(ADMIN));
    const file = join(mkdtempSync(join(tmpdir(), "chorus-admin-")), "admin.key");
    writeFileSync(file, `${ADMIN}\n`);
    expect(gatewaySettings(GatewayConfig.parse({ CHORUS_ADMIN_KEY_FILE: file })).auth.adminKeyHash).toBe(hashApiKey(ADMIN));
  });

  it("refuses a short admin key, both settings at once, and an unreadable file", () => {
    expect(GatewayConfig.safeParse({ CHORUS_ADMIN_KEY: "short" }).success).toBe(false);
    expect(GatewayConfig.safeParse({ CHORUS_AUTH: "sometimes" }).success).toBe(false);
    expect(() => gatewaySettings(GatewayConfig.parse({ CHORUS_ADMIN_KEY: ADMIN, CHORUS_ADMIN_KEY_FILE: "/x" }))).toThrow(ConfigError);
    expect(() => gatewaySettings(GatewayConfig.parse({ CHORUS_ADMIN_KEY_FILE: "/no/such/file" }))).toThrow(/CHORUS_ADMIN_KEY_FILE cannot be read/);
  });

  it("reads an empty admin key (a placeholder) as none, and refuses an OPS_PORT that is the API's", () => {
    expect(gatewaySettings(GatewayConfig.parse({ CHORUS_ADMIN_KEY: "", CHORUS_ADMIN_KEY_FILE: "" })).auth.adminKeyHash).toBeUndefined();
    expect(GatewayConfig.safeParse({ PORT: "8000", OPS_PORT: "8000" }).success).toBe(false);
    expect(GatewayConfig.safeParse({ GRPC_PORT: "9000", OPS_PORT: "9000" }).success).toBe(false);
    // Unset, there is no ops port: the probes answer on PORT.
    expect(GatewayConfig.parse({}).OPS_PORT).toBeUndefined();
    expect(GatewayConfig.safeParse({ PORT: "0", OPS_PORT: "0" }).success).toBe(true);
  });

  it("opens the API with CHORUS_AUTH=off", () => {
    expect(gatewaySettings(GatewayConfig.parse({ CHORUS_AUTH: "off" })).auth.mode).toBe("off");
  });
});
