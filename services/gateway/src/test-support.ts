// For the gateway's integration tests: the gateway in-process on port 0 over isolated
// NATS (and Postgres), and a small stand-in for the downstream services that answers
// each SubmitRequest with RequestAccepted and RequestCompleted events.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { SubmitRequest as SubmitRequestSchema, type AgentId, type AgentOutputs, type AgentResult, type ChorusEvent, type CommandOf } from "@chorus/contracts";
import { ensureDurable, parseSecretKey, publishEvent, runConsumer, type Logger } from "@chorus/platform";
import { testLogger, type IsolatedNats } from "@chorus/testing";
import { connectDatabaseInBackground, type DatabaseLink } from "./database/link.ts";
import type { GatewaySettings } from "./deps.ts";
import { startGateway, type Gateway } from "./server.ts";

export const TEST_SECRET_KEY = parseSecretKey("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

export const TEST_SETTINGS: GatewaySettings = {
  tenantId: "default",
  maxTextLength: 10_000,
  maxBodyBytes: 256 * 1024,
  processWaitTimeoutMs: 15_000,
  corsOrigins: ["*"],
};

/** A database link pointed at a closed port: Postgres is down for as long as it lives. */
export function unreachableDatabase(): DatabaseLink {
  return connectDatabaseInBackground({ url: "postgresql://postgres@127.0.0.1:1/chorus", poolSize: 1, logger: testLogger, retryMs: 60_000 });
}

export async function startTestGateway(options: {
  nats: IsolatedNats;
  database: DatabaseLink;
  settings?: Partial<GatewaySettings>;
  logger?: Logger;
  nc?: IsolatedNats["nc"];
}): Promise<Gateway & { post(body: unknown, headers?: Record<string, string>): Promise<Response> }> {
  const gateway = await startGateway({
    logger: options.logger ?? testLogger,
    topology: options.nats.topology,
    nc: options.nc ?? options.nats.nc,
    js: options.nats.js,
    jsm: options.nats.jsm,
    database: options.database,
    webhookSecretKey: TEST_SECRET_KEY,
    settings: { ...TEST_SETTINGS, ...options.settings },
    port: 0,
    host: "127.0.0.1",
  });
  return {
    ...gateway,
    post: (body, headers = {}) =>
      fetch(`${gateway.url}/api/v1/process`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

/** A pino logger whose lines are kept in memory, to check what the gateway logs. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = pino({ level: "debug", redact: { paths: ["webhook_secret", "*.webhook_secret", "secret", "*.secret"], censor: "[redacted]" } }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const SAMPLE_OUTPUTS: AgentOutputs = {
  summarizer: { summary: "Apple did well.", key_points: ["record earnings"] },
  sentiment: { label: "positive", score: 0.6, confidence: 0.8 },
  entity_extractor: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }] },
};

export function completedResult(agent: AgentId): AgentResult {
  return { status: "completed", provider: "local", model: "test-double", duration_ms: 3, usage: null, error: null, output: SAMPLE_OUTPUTS[agent] };
}

type SubmitRequest = CommandOf<"SubmitRequest">;

function envelopeFor(cmd: SubmitRequest, occurredAt = new Date().toISOString()) {
  return { id: randomUUID(), version: 1 as const, request_id: cmd.request_id, tenant_id: cmd.tenant_id, occurred_at: occurredAt, correlation_id: cmd.correlation_id };
}

export function acceptedEvent(cmd: SubmitRequest): ChorusEvent {
  return {
    ...envelopeFor(cmd),
    type: "RequestAccepted",
    data: {
      text: cmd.data.text,
      orchestration_mode: cmd.data.orchestration_mode,
      agents: cmd.data.agents,
      webhook: cmd.data.webhook,
      idempotency_key: cmd.data.idempotency_key,
      fingerprint: cmd.data.fingerprint,
      agent_timeout_ms: 5_000,
    },
  };
}

export function completedEvent(cmd: SubmitRequest, createdAt: string): ChorusEvent {
  return {
    ...envelopeFor(cmd),
    type: "RequestCompleted",
    data: {
      status: "completed",
      results: Object.fromEntries(cmd.data.agents.map((a) => [a, completedResult(a)])),
      duration_ms: 7,
      webhook: cmd.data.webhook,
      orchestration_mode: cmd.data.orchestration_mode,
      agents: cmd.data.agents,
      created_at: createdAt,
    },
  };
}

/**
 * Stands in for orchestrator and agents: takes each SubmitRequest off the commands stream
 * and records its acceptance and completion, or only its acceptance with `acceptOnly`.
 */
export async function runDownstreamDouble(nats: IsolatedNats, options: { acceptOnly?: boolean } = {}) {
  const t = nats.topology;
  const received: SubmitRequest[] = [];
  await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "double", filterSubject: t.subjects.submit, ackWaitMs: 10_000, maxDeliver: 3, maxAckPending: 10 });
  const consumer = await runConsumer({
    js: nats.js,
    topology: t,
    stream: t.streams.commands,
    durable: "double",
    schema: SubmitRequestSchema,
    concurrency: 4,
    maxDeliver: 3,
    logger: testLogger,
    handle: async (cmd) => {
      received.push(cmd);
      const accepted = acceptedEvent(cmd);
      await publishEvent(nats.js, t, accepted, { msgID: `${cmd.request_id}:accepted` });
      if (!options.acceptOnly) await publishEvent(nats.js, t, completedEvent(cmd, accepted.occurred_at), { msgID: `${cmd.request_id}:end` });
    },
  });
  return { received, stop: () => consumer.stop() };
}

export async function commandCount(nats: IsolatedNats): Promise<number> {
  return (await nats.jsm.streams.info(nats.topology.streams.commands)).state.messages;
}
