// JSON Schema (draft 2020-12) of every event, command and task, generated from the zod
// schemas, for consumers that do not use TypeScript. `npm run contracts:schemas` writes
// them to packages/contracts/schemas/; a test keeps those files in step with the code.
import { z } from "zod";
import { AgentTask, CheckAgentDeadline, RedeliverWebhook, SubmitRequest } from "./commands.ts";
import { EVENT_SCHEMAS } from "./events.ts";

const COMMAND_SCHEMAS = { SubmitRequest, CheckAgentDeadline, RedeliverWebhook, AgentTask } as const;

export type JsonSchemaFile = { path: string; schema: Record<string, unknown> };

type Envelope = z.ZodObject<{ version: z.ZodLiteral<number> }>;

/** The file of a type is named after the newest version its schema reads (which also reads the older ones). */
function fileName(name: string, schema: Envelope): string {
  return `${name}.v${Math.max(...schema.shape.version.values)}.json`;
}

function toJson(name: string, kind: "event" | "command", schema: Envelope): Record<string, unknown> {
  return {
    $id: `https://chorus.dev/schemas/${kind}s/${fileName(name, schema)}`,
    title: name,
    ...z.toJSONSchema(schema, { target: "draft-2020-12", io: "output", unrepresentable: "any" }),
  };
}

/** Every schema file, keyed by its path under packages/contracts/schemas/. */
export function jsonSchemaFiles(): JsonSchemaFile[] {
  return [
    ...Object.entries(EVENT_SCHEMAS).map(([name, s]) => ({ path: `events/${fileName(name, s)}`, schema: toJson(name, "event", s) })),
    ...Object.entries(COMMAND_SCHEMAS).map(([name, s]) => ({ path: `commands/${fileName(name, s)}`, schema: toJson(name, "command", s) })),
  ];
}
