// The gateway's values as chorus.v1 messages and back: a RequestView as `Request`, a
// recorded event's public view as `RequestEvent`, and gRPC requests as the REST inputs they mirror, so
// the same zod schemas validate both. Pure.
import type { AgentResult, OrchestrationMode, RequestView } from "@chorus/contracts";
import type { FollowedEvent } from "../events/follow.ts";
import { publicEvent } from "../views/public-event.ts";
import { toStruct, toTimestamp, type ProtoStruct, type ProtoTimestamp } from "@chorus/contracts";

const MODE_TO_PROTO: Record<OrchestrationMode, string> = {
  sequential: "ORCHESTRATION_MODE_SEQUENTIAL",
  parallel: "ORCHESTRATION_MODE_PARALLEL",
};

const MODE_FROM_PROTO: Record<string, OrchestrationMode | undefined> = {
  ORCHESTRATION_MODE_SEQUENTIAL: "sequential",
  ORCHESTRATION_MODE_PARALLEL: "parallel",
};

export type SubmitRequestMessage = {
  text: string;
  orchestration_mode: string;
  agents: string[];
  webhook_url: string;
  webhook_secret: string;
  idempotency_key: string;
  respond_async: boolean;
};

export type ListRequestsMessage = { page: number; page_size: number; status: string; orchestration_mode?: string; agent?: string };

type AgentResultMessage = {
  status: string;
  provider: string;
  model: string;
  duration_ms?: number;
  usage: AgentResult["usage"];
  error: AgentResult["error"];
  output: ProtoStruct | null;
};

export type RequestMessage = {
  request_id: string;
  status: string;
  orchestration_mode: string;
  agents: string[];
  created_at: ProtoTimestamp;
  completed_at: ProtoTimestamp | null;
  results: Record<string, AgentResultMessage>;
  webhook: {
    url: string;
    status: string;
    attempts: number;
    last_status_code?: number;
    delivered_at: ProtoTimestamp | null;
  } | null;
};

export type RequestEventMessage = {
  id: string;
  type: string;
  version: number;
  request_id: string;
  tenant_id: string;
  occurred_at: ProtoTimestamp;
  correlation_id: string;
  data: ProtoStruct;
  stream_sequence: string;
};

/** The REST body this Submit stands for: proto3's empty values mean "not given". */
export function processBodyOf(m: SubmitRequestMessage): Record<string, unknown> {
  const mode = m.orchestration_mode && m.orchestration_mode !== "ORCHESTRATION_MODE_UNSPECIFIED" ? (MODE_FROM_PROTO[m.orchestration_mode] ?? m.orchestration_mode) : undefined;
  return {
    text: m.text,
    ...(mode ? { orchestration_mode: mode } : {}),
    ...(m.agents.length > 0 ? { agents: m.agents } : {}),
    ...(m.webhook_url ? { webhook_url: m.webhook_url } : {}),
    ...(m.webhook_secret ? { webhook_secret: m.webhook_secret } : {}),
  };
}

/** The REST query this List stands for: 0 and "" mean "the default". */
export function listQueryOf(m: ListRequestsMessage): Record<string, unknown> {
  return {
    ...(m.page ? { page: m.page } : {}),
    ...(m.page_size ? { page_size: m.page_size } : {}),
    ...(m.status ? { status: m.status } : {}),
    ...(m.orchestration_mode ? { orchestration_mode: m.orchestration_mode } : {}),
    ...(m.agent ? { agent: m.agent } : {}),
  };
}

function agentResultMessage(r: AgentResult): AgentResultMessage {
  return {
    status: r.status,
    provider: r.provider ?? "",
    model: r.model ?? "",
    ...(r.duration_ms !== null ? { duration_ms: r.duration_ms } : {}),
    usage: r.usage,
    error: r.error,
    output: r.output ? toStruct(r.output as Record<string, unknown>) : null,
  };
}

export function requestMessage(view: RequestView): RequestMessage {
  return {
    request_id: view.request_id,
    status: view.status,
    orchestration_mode: MODE_TO_PROTO[view.orchestration_mode],
    agents: view.agents,
    created_at: toTimestamp(view.created_at),
    completed_at: view.completed_at ? toTimestamp(view.completed_at) : null,
    results: Object.fromEntries(Object.entries(view.results).flatMap(([agent, r]) => (r ? [[agent, agentResultMessage(r)]] : []))),
    webhook: view.webhook
      ? {
          url: view.webhook.url,
          status: view.webhook.status,
          attempts: view.webhook.attempts,
          ...(view.webhook.last_status_code !== null ? { last_status_code: view.webhook.last_status_code } : {}),
          delivered_at: view.webhook.delivered_at ? toTimestamp(view.webhook.delivered_at) : null,
        }
      : null,
  };
}

/** A followed event as WatchRequest sends it: its public view, as SSE sends it too. */
export function requestEventMessage({ seq, event }: FollowedEvent): RequestEventMessage {
  const shown = publicEvent(event);
  return {
    id: shown.id,
    type: shown.type,
    version: shown.version,
    request_id: shown.request_id,
    tenant_id: shown.tenant_id,
    occurred_at: toTimestamp(shown.occurred_at),
    correlation_id: shown.correlation_id,
    data: toStruct(shown.data),
    stream_sequence: String(seq),
  };
}
