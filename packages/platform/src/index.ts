// @chorus/platform: what every Chorus process needs around its domain code.
export * from "./errors.ts";
export * from "./config.ts";
export * from "./logger.ts";
export * from "./secrets.ts";
export * from "./nats.ts";
export * from "./bus.ts";
export * from "./db.ts";
export * from "./probes.ts";
export * from "./shutdown.ts";
export * from "./migrate.ts";
export * from "./service.ts";
