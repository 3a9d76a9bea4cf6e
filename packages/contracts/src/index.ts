// @chorus/contracts: the language every Chorus service speaks. Import from here only.
export * from "./agents.ts";
export * from "./envelope.ts";
export * from "./webhook.ts";
export * from "./webhook-status.ts";
export * from "./results.ts";
export * from "./events.ts";
export * from "./commands.ts";
export * from "./accept.ts";
export * from "./storable-text.ts";
export * from "./text-length.ts";
export * from "./topology.ts";
export * from "./json-schema.ts";
export * from "./asyncapi.ts";
export * from "./proto-struct.ts";
export * from "./proto.ts";
export * from "./provider-health.ts";
export * from "./api-keys.ts";
