// The event catalog for consumers: an AsyncAPI 3.0 document of the NATS subjects every
// event is published on, with each event's JSON Schema, generated from the zod schemas
// and the subject rules in topology.ts. `npm run contracts:asyncapi` writes it out.
import { z } from "zod";
import { AGENT_IDS } from "./agents.ts";
import { EVENT_SCHEMAS, type ChorusEvent, type ChorusEventType } from "./events.ts";
import { eventSubjectSuffix } from "./topology.ts";

type Json = Record<string, unknown>;

const SUMMARIES: Record<ChorusEventType, string> = {
  RequestAccepted: "A request was accepted: its text, mode, agents, (sealed) webhook and agent timeout. Recorded by the gateway before it answers the submission; always the first event of a request. Version 2 adds `dispatch`: in parallel mode the accept is also every listed agent's dispatch, with their deadline (no AgentDispatched follows); null in sequential mode.",
  AgentDispatched: "An agent's task was dispatched, with its deadline.",
  AgentStarted:
    "An agent's run of its task (again on a redelivery) was still going a moment after it began (the agents' AGENT_STARTED_AFTER_MS, 250 ms by default; 0 records every run). occurred_at is when the run began. A quicker run records none: its outcome's started_at says when it began.",
  AgentCompleted: "An agent produced its output; started_at: when its run began.",
  AgentFailed: "An agent failed (started_at: when its run began), or missed its deadline (recorded by the orchestrator, without started_at).",
  RequestCompleted: "The request ended with every agent (completed) or some agents (partial) succeeding. An end event.",
  RequestFailed: "The request ended with no agent succeeding. An end event.",
  WebhookAttempted: "One delivery attempt of the request's webhook (after the end event). Attempts are numbered per request, on across manual redeliveries.",
  WebhookDelivered: "A delivery chain ended: the receiver took the webhook (2xx).",
  WebhookExhausted: "A delivery chain ended without success: its retries ran out, or `cause` says why retrying could not help.",
  RequestErased: "The request's personal data was erased: the projector then deletes every other event of the request from the stream. Keeps that it existed, how it ended, and when and by which key it was erased.",
  WebhookCircuitChanged: "The circuit breaker of the webhook's endpoint (its origin) opened, took a probe (half-open) or closed, through this request's delivery. While it is open, deliveries to the endpoint wait without using attempts.",
};

/** The subject of an event type, with `{request_id}` (and `{agent}`) left as channel parameters. */
export function eventAddress(prefix: string, type: ChorusEventType): string {
  const suffix = eventSubjectSuffix({ type, data: { agent: "{agent}" } } as unknown as Pick<ChorusEvent, "type" | "data">);
  return `${prefix}.ev.request.{request_id}.${suffix}`;
}

/** The subject to subscribe to for every event of one type, of every request (parameters as `*`). */
export function eventWildcard(prefix: string, type: ChorusEventType): string {
  return eventAddress(prefix, type).replace(/\{[a-z_]+\}/g, "*");
}

function payloadOf(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-7", io: "output", unrepresentable: "any" }) as Json;
  return rest;
}

export function asyncApiDocument(options: { prefix?: string; version?: string } = {}): Json {
  const prefix = options.prefix ?? "chorus";
  const types = Object.keys(EVENT_SCHEMAS) as ChorusEventType[];
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  for (const type of types) {
    const address = eventAddress(prefix, type);
    channels[type] = {
      address,
      title: type,
      description: `${SUMMARIES[type]} Every request's ${type} events: subscribe to \`${eventWildcard(prefix, type)}\`.`,
      parameters: {
        request_id: { $ref: "#/components/parameters/request_id" },
        ...(address.includes("{agent}") ? { agent: { $ref: "#/components/parameters/agent" } } : {}),
      },
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
    };
    operations[`receive${type}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${type}` },
      summary: SUMMARIES[type],
      messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
    };
    messages[type] = {
      name: type,
      title: type,
      summary: SUMMARIES[type],
      contentType: "application/json",
      headers: { $ref: "#/components/schemas/EventHeaders" },
      payload: { schemaFormat: "application/schema+json;version=draft-07", schema: payloadOf(EVENT_SCHEMAS[type]) },
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Chorus events",
      version: options.version ?? "1.0.0",
      description:
        "Every fact Chorus records, as a NATS JetStream subject in the events stream (the system of record). " +
        `One request: \`${prefix}.ev.request.<request_id>.>\`; one kind of fact: e.g. \`${eventWildcard(prefix, "RequestCompleted")}\`. ` +
        "Each message is one versioned envelope `{ id, type, version, request_id, tenant_id, occurred_at, correlation_id, data }`. " +
        "A request's events end with RequestCompleted or RequestFailed; webhook events follow its end.",
    },
    defaultContentType: "application/json",
    servers: {
      local: { host: "127.0.0.1:4222", protocol: "nats", description: `NATS with JetStream; events are in the stream ${prefix.toUpperCase()}_EVENTS` },
    },
    channels,
    operations,
    components: {
      messages,
      parameters: {
        request_id: { description: "The request's id (a UUID)" },
        agent: { description: "The agent", enum: [...AGENT_IDS] },
      },
      schemas: {
        EventHeaders: {
          type: "object",
          properties: {
            "Nats-Msg-Id": { type: "string", description: "Derived from the decision, so a repeat is dropped by the stream" },
            "Chorus-Event-Type": { type: "string", description: "The event's type, to route without parsing the body" },
            "Chorus-Correlation-Id": { type: "string" },
            traceparent: { type: "string", description: "W3C trace context" },
          },
        },
      },
    },
  };
}
