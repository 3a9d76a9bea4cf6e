// For the gateway's integration tests: the gateway in-process on port 0 over isolated
// NATS (and Postgres), and a small stand-in for the downstream services that answers
// each RequestAccepted the gateway records with a RequestCompleted event.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import {
  acceptSubmission,
  RequestAccepted as RequestAcceptedSchema,
  type AgentId,
  type AgentOutputs,
  type AgentResult,
  type CommandOf,
  type EventOf,
  type RequestEndEvent,
} from "@chorus/contracts";
import { ensureDurable, publishEvent, runConsumer, type DatabasePool, type Logger } from "@chorus/platform";
import { completedEnd, testLogger, type IsolatedNats } from "@chorus/testing";
import { derivedFingerprintKey, secretKeyOf, singleKeyRing, type WebhookKeys } from "@chorus/webhook-security";
import { startAccess, type Access } from "./auth/index.ts";
import { connectDatabaseInBackground, databaseLink, type DatabaseLink } from "./database/link.ts";
import type { GatewayDeps, GatewaySettings } from "./deps.ts";
import { startGateway, type Gateway } from "./server.ts";

const TEST_RING = singleKeyRing(secretKeyOf("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
/** The keys of a gateway given WEBHOOK_SECRET_KEY alone: a ring of one, and the fingerprint key derived from it. */
export const TEST_WEBHOOK_KEYS: WebhookKeys = { ring: TEST_RING, fingerprintKey: derivedFingerprintKey(TEST_RING) };

/** Most tests are not about keys: the open API of CHORUS_AUTH=off, as the earlier service had. */
export const TEST_SETTINGS: GatewaySettings = {
  tenantId: "default",
  auth: { mode: "off", rateLimitPerMinute: 600, maxStreamsPerKey: 20 },
  agentTimeoutMs: 5_000,
  maxTextLength: 10_000,
  maxBodyBytes: 256 * 1024,
  processWaitTimeoutMs: 15_000,
  corsOrigins: ["*"],
};

/** A database link pointed at a closed port: Postgres is down for as long as it lives. */
export function unreachableDatabase(): DatabaseLink {
  return connectDatabaseInBackground({ url: "postgresql://postgres@127.0.0.1:1/chorus", poolSize: 1, logger: testLogger, retryMs: 60_000 });
}

/** The API keys as a gateway with these settings sees them, read to the end of the keys stream; `stop` when done. */
export async function testAccess(nats: IsolatedNats, settings: GatewaySettings = TEST_SETTINGS, logger: Logger = testLogger): Promise<Access & { stop(): void }> {
  const access = startAccess({ js: nats.js, jsm: nats.jsm, topology: nats.topology, logger, defaultTenantId: settings.tenantId, auth: settings.auth });
  await access.keys.ready;
  return access;
}

/** What a gateway (REST or gRPC) is built from in a test: the isolated NATS, a database link, the test key and settings. */
export function testGatewayDeps(options: {
  nats: IsolatedNats;
  database: DatabaseLink;
  access: Access;
  settings?: Partial<GatewaySettings>;
  logger?: Logger;
  nc?: IsolatedNats["nc"];
}): GatewayDeps {
  return {
    logger: options.logger ?? testLogger,
    topology: options.nats.topology,
    nc: options.nc ?? options.nats.nc,
    js: options.nats.js,
    jsm: options.nats.jsm,
    database: options.database,
    webhookKeys: TEST_WEBHOOK_KEYS,
    access: options.access,
    settings: { ...TEST_SETTINGS, ...options.settings },
  };
}

export async function startTestGateway(options: {
  nats: IsolatedNats;
  database: DatabaseLink;
  settings?: Partial<GatewaySettings>;
  logger?: Logger;
  nc?: IsolatedNats["nc"];
}): Promise<Gateway & { access: Access; post(body: unknown, headers?: Record<string, string>): Promise<Response> }> {
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const access = await testAccess(options.nats, settings, options.logger);
  const gateway = await startGateway({ ...testGatewayDeps({ ...options, access, settings }), port: 0, host: "127.0.0.1" });
  return {
    ...gateway,
    access,
    stop: async () => {
      access.stop();
      await gateway.stop();
    },
    post: (body, headers = {}) =>
      fetch(`${gateway.url}/api/v1/process`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

/** A link to a test's shared pool that a gateway's stop does not end (the fixture owns the pool). */
export function borrowedDatabase(pool: DatabasePool): DatabaseLink {
  return { ...databaseLink(pool), close: async () => undefined };
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

type Accepted = EventOf<"RequestAccepted">;

/** The acceptance the gateway records for `cmd`, with the test settings' agent timeout. */
export function acceptedEvent(cmd: CommandOf<"SubmitRequest">): Accepted {
  return acceptSubmission(cmd, { id: randomUUID(), occurredAt: new Date().toISOString(), agentTimeoutMs: TEST_SETTINGS.agentTimeoutMs });
}

/** The accepted request's completion: every agent completed with its sample output. */
export function completedEvent(accepted: Accepted): RequestEndEvent {
  const d = accepted.data;
  return completedEnd(d.webhook, {
    requestId: accepted.request_id,
    tenantId: accepted.tenant_id,
    correlationId: accepted.correlation_id,
    data: {
      results: Object.fromEntries(d.agents.map((a) => [a, completedResult(a)])),
      duration_ms: 7,
      orchestration_mode: d.orchestration_mode,
      agents: d.agents,
      created_at: accepted.occurred_at,
    },
  });
}

/**
 * Stands in for orchestrator and agents: takes each RequestAccepted the gateway records
 * and records the request's completion, or does nothing more with `acceptOnly`. Requests
 * that `leaves` picks are left alone (a test records their events itself).
 */
export async function runDownstreamDouble(nats: IsolatedNats, options: { acceptOnly?: boolean; leaves?: (accepted: Accepted) => boolean } = {}) {
  const t = nats.topology;
  const received: Accepted[] = [];
  await ensureDurable(nats.jsm, { stream: t.streams.events, durable: "double", filterSubject: t.subjects.requestAccepts, ackWaitMs: 10_000, maxDeliver: 3, maxAckPending: 10 });
  const consumer = await runConsumer({
    js: nats.js,
    topology: t,
    stream: t.streams.events,
    durable: "double",
    schema: RequestAcceptedSchema,
    concurrency: 4,
    maxDeliver: 3,
    logger: testLogger,
    handle: async (accepted) => {
      // A test may record some requests' events itself: `leaves` names those.
      if (options.leaves?.(accepted)) return;
      received.push(accepted);
      if (!options.acceptOnly) await publishEvent(nats.js, t, completedEvent(accepted), { msgID: `${accepted.request_id}:end` });
    },
  });
  return { received, stop: () => consumer.stop() };
}

/** RequestAccepted events recorded: one per request the gateway accepted. */
export async function acceptedCount(nats: IsolatedNats): Promise<number> {
  const subject = nats.topology.subjects.requestAccepts;
  const info = await nats.jsm.streams.info(nats.topology.streams.events, { subjects_filter: subject });
  return Object.values(info.state.subjects ?? {}).reduce((n, count) => n + count, 0);
}
