// Realistic event histories for the projector's tests: what the orchestrator, the
// agents and the webhook service publish for one request, in the order they publish it.
import { randomUUID } from "node:crypto";
import type { AgentId, AgentOutputs, AgentResults, ChorusEvent, EndStatus, EventOf, OrchestrationMode } from "@chorus/contracts";

export type Story = {
  requestId: string;
  agents: AgentId[];
  mode?: OrchestrationMode;
  /** Agents that fail (a timeout with no provider) instead of completing. */
  failing?: AgentId[];
  /** Agents whose run ended before its AgentStarted was due: only the outcome's started_at says when it began. */
  quick?: AgentId[];
  text?: string;
  webhook?: "delivered-on-retry" | "exhausted" | null;
  /** Leave the request unfinished after this many agent outcomes. */
  stopAfterOutcomes?: number;
  startAt?: number;
  /** Recorded as the gateway does now (version 2): a parallel accept is its agents' dispatch, with no AgentDispatched. */
  acceptDispatches?: boolean;
};

const SEALED = "v1.aaaa.bbbb.cccc";
const OUTPUTS: AgentOutputs = {
  summarizer: { summary: "A short summary.", key_points: ["one", "two"] },
  sentiment: { label: "positive", score: 0.62, confidence: 0.8 },
  entity_extractor: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }] },
};

/** The events of one request, in publish order, with instants a few ms apart. */
export function storyEvents(story: Story): ChorusEvent[] {
  const { requestId, agents } = story;
  let clock = story.startAt ?? Date.parse("2026-11-24T10:00:00.000Z");
  const tick = () => new Date((clock += 7)).toISOString();
  const meta = (type: string) => ({ id: randomUUID(), type, version: 1 as const, request_id: requestId, tenant_id: "default", correlation_id: `corr-${requestId.slice(0, 8)}`, occurred_at: tick() });
  const webhook = story.webhook ? { url: "https://example.test/hook", secret: SEALED } : null;
  const events: ChorusEvent[] = [];
  const accepted = {
    ...meta("RequestAccepted"),
    type: "RequestAccepted",
    data: {
      text: story.text ?? "Apple shipped a phone. Reviewers 😀 liked it a great deal.",
      orchestration_mode: story.mode ?? "parallel",
      agents,
      webhook,
      idempotency_key: `idem-${requestId.slice(0, 8)}`,
      fingerprint: null,
      agent_timeout_ms: 30_000,
    },
  } satisfies EventOf<"RequestAccepted">;
  const byAccept = story.acceptDispatches === true && accepted.data.orchestration_mode === "parallel";
  events.push(byAccept ? { ...accepted, version: 2, data: { ...accepted.data, dispatch: { deadline_at: new Date(clock + 30_000).toISOString() } } } : accepted);
  const failing = new Set(story.failing ?? []);
  const quick = new Set(story.quick ?? []);
  let outcomes = 0;
  for (const agent of agents) {
    if (story.stopAfterOutcomes !== undefined && outcomes >= story.stopAfterOutcomes) break;
    if (!byAccept) events.push({ ...meta("AgentDispatched"), type: "AgentDispatched", data: { agent, deadline_at: new Date(clock + 30_000).toISOString(), context_from: [] } });
    // The run begins here whether or not its start is recorded; AgentStarted's instant is the run's start.
    const start = { ...meta("AgentStarted"), type: "AgentStarted", data: { agent, provider: "local", model: `${agent}-model`, delivery: 1 } } satisfies EventOf<"AgentStarted">;
    if (!quick.has(agent)) events.push(start);
    if (failing.has(agent)) {
      events.push({
        ...meta("AgentFailed"),
        type: "AgentFailed",
        data: { agent, provider: null, model: null, error: { code: "timeout", message: `${agent} timed out` }, duration_ms: null, usage: null },
      });
    } else {
      events.push({
        ...meta("AgentCompleted"),
        type: "AgentCompleted",
        data: {
          agent,
          provider: "local",
          model: `${agent}-model`,
          output: OUTPUTS[agent],
          duration_ms: 12,
          usage: agent === "summarizer" ? { prompt_tokens: 30, completion_tokens: 10, total_tokens: 40 } : null,
          started_at: start.occurred_at,
        },
      });
    }
    outcomes += 1;
  }
  if (story.stopAfterOutcomes !== undefined && outcomes < agents.length) return events;
  const succeededCount = agents.filter((a) => !failing.has(a)).length;
  const status: EndStatus = succeededCount === agents.length ? "completed" : succeededCount === 0 ? "failed" : "partial";
  // As the orchestrator builds it: each agent's first outcome.
  const results: AgentResults = {};
  for (const e of events) {
    if (e.type === "AgentCompleted") {
      const d = e.data;
      results[d.agent] = { status: "completed", provider: d.provider, model: d.model, duration_ms: d.duration_ms, usage: d.usage, error: null, output: d.output };
    } else if (e.type === "AgentFailed") {
      const d = e.data;
      results[d.agent] = { status: "failed", provider: d.provider, model: d.model, duration_ms: d.duration_ms, usage: d.usage, error: d.error, output: null };
    }
  }
  const endData = { results, duration_ms: clock + 7 - Date.parse(accepted.occurred_at), webhook, orchestration_mode: accepted.data.orchestration_mode, agents, created_at: accepted.occurred_at };
  events.push(
    status === "failed"
      ? { ...meta("RequestFailed"), type: "RequestFailed", data: { ...endData, status } }
      : { ...meta("RequestCompleted"), type: "RequestCompleted", data: { ...endData, status } },
  );
  if (!story.webhook) return events;
  const webhookId = `${requestId}:end`;
  const attempt = (n: number, statusCode: number | null, error: string | null, next: boolean): ChorusEvent => ({
    ...meta("WebhookAttempted"),
    type: "WebhookAttempted",
    data: { webhook_id: webhookId, attempt: n, url: "https://example.test/hook", status_code: statusCode, duration_ms: 5, error, next_attempt_at: next ? new Date(clock + 1000).toISOString() : null },
  });
  if (story.webhook === "delivered-on-retry") {
    events.push(attempt(1, 503, null, true));
    events.push(attempt(2, 200, null, false));
    events.push({ ...meta("WebhookDelivered"), type: "WebhookDelivered", data: { webhook_id: webhookId, attempt: 2, status_code: 200 } });
  } else {
    events.push(attempt(1, 500, null, true));
    events.push(attempt(2, null, "connect ECONNREFUSED", false));
    events.push({ ...meta("WebhookExhausted"), type: "WebhookExhausted", data: { webhook_id: webhookId, attempts: 2, reason: "max retries" } });
  }
  return events;
}

/** A deterministic shuffle (mulberry32), so a failing order can be reproduced from its seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
