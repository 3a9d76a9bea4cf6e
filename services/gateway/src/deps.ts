// What the gateway needs from its process: connections, keys and settings. main.ts
// builds it from the environment; tests build it from isolated NATS and Postgres.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, JetStreamManager, Logger, NatsConnection } from "@chorus/platform";
import type { SecretKey } from "@chorus/webhook-security";
import type { AcceptsDurable } from "./broker/accepts.ts";
import type { DatabaseLink } from "./database/link.ts";

export type GatewaySettings = {
  tenantId: string;
  /** Each agent's deadline, recorded on a request when the gateway accepts it (AGENT_TIMEOUT_MS). */
  agentTimeoutMs: number;
  /** Max `text` length in Unicode code points. */
  maxTextLength: number;
  /** Max request body, bytes; larger bodies get a 413. */
  maxBodyBytes: number;
  /** How long a POST without webhook or `Prefer: respond-async` waits for the result. */
  processWaitTimeoutMs: number;
  /** Allowed CORS origins; "*" allows any. */
  corsOrigins: string[];
  /** Lets webhook URLs resolve to loopback/private addresses (development and tests only). */
  webhookAllowPrivate?: boolean;
  /** Shared secret that signs POST /webhook/receive; unset, that route answers 503. */
  webhookInboundSecret?: string | undefined;
};

export type GatewayDeps = {
  logger: Logger;
  topology: Topology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  database: DatabaseLink;
  /** Seals webhook secrets before they go into a command. */
  webhookSecretKey: SecretKey;
  settings: GatewaySettings;
  /** Ensures the orchestrator's accepted-requests durable once per process; shared by REST and gRPC (made per server when absent). */
  ensureAccepts?: AcceptsDurable;
  /** Aborted when the gateway starts stopping: readiness fails and waiting POSTs answer 202 at once. */
  stopping?: AbortSignal;
};
