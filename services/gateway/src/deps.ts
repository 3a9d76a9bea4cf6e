// What the gateway needs from its process: connections, keys and settings. main.ts
// builds it from the environment; tests build it from isolated NATS and Postgres.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, JetStreamManager, Logger, NatsConnection } from "@chorus/platform";
import type { WebhookKeys } from "@chorus/webhook-security";
import type { Access, AuthOptions } from "./auth/index.ts";
import type { AcceptsDurable } from "./broker/accepts.ts";
import type { DatabaseLink } from "./database/link.ts";

export type GatewaySettings = {
  /** The tenant of every call when auth is off (CHORUS_TENANT_ID), and of inbound webhooks. */
  tenantId: string;
  /** CHORUS_AUTH and the API keys' limits. */
  auth: AuthOptions;
  /** Each agent's deadline, recorded on a request when the gateway accepts it (AGENT_TIMEOUT_MS). */
  agentTimeoutMs: number;
  /** Max `text` length in Unicode code points. */
  maxTextLength: number;
  /** Max request body, bytes; larger bodies get a 413. */
  maxBodyBytes: number;
  /** How long a POST without webhook or `Prefer: respond-async` waits for the result. */
  processWaitTimeoutMs: number;
  /** Allowed CORS origins; "*" allows any; none by default. */
  corsOrigins: string[];
  /** How long a client may take to send a whole request (API_REQUEST_TIMEOUT_MS); slower uploads are cut off. */
  requestTimeoutMs?: number;
  /** Serves gRPC server reflection (GRPC_REFLECTION); off by default. */
  grpcReflection?: boolean;
  /** Lets webhook URLs resolve to loopback/private addresses (development and tests only). */
  webhookAllowPrivate?: boolean;
  /** Ports a webhook URL may name unless webhookAllowPrivate (WEBHOOK_ALLOWED_PORTS); unset means 80 and 443. */
  webhookAllowedPorts?: readonly number[];
  /** Shared secret that signs POST /webhook/receive; unset, that route answers 503. */
  webhookInboundSecret?: string | undefined;
  /** POST /webhook/receive also takes the legacy X-Webhook-Signature (WEBHOOK_INBOUND_ALLOW_LEGACY). */
  webhookInboundAllowLegacy?: boolean;
  /** How long DELETE /results/{id} waits for the projector's deletes before answering 202 (default 5 s; tests shorten it). */
  eraseWaitMs?: number;
};

export type GatewayDeps = {
  logger: Logger;
  topology: Topology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  database: DatabaseLink;
  /** Who may call: API keys, scopes, rate limits (shared by REST and gRPC). */
  access: Access;
  /** Seals webhook secrets before they go into an event (the keyring's current key), and keys the body fingerprint's HMAC. */
  webhookKeys: WebhookKeys;
  settings: GatewaySettings;
  /** Ensures the orchestrator's accepted-requests durable once per process; shared by REST and gRPC (made per server when absent). */
  ensureAccepts?: AcceptsDurable;
  /** Aborted when the gateway starts stopping: readiness fails and waiting POSTs answer 202 at once. */
  stopping?: AbortSignal;
};
