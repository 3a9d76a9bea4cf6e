// @chorus/testing: fixtures for integration and end-to-end tests.
export * from "./fixtures.ts";
export * from "./isolation.ts";
export * from "./database-roles.ts";
export * from "./processes.ts";
export * from "./gateway-api.ts";
export * from "./openai-server.ts";
export * from "./webhook-receiver.ts";
export * from "./events.ts";
export * from "./accepted-events.ts";
export * from "./end-events.ts";
export * from "./pipeline.ts";
export * from "./nats-cluster.ts";
export * from "./browser.ts";
