// The request as clients see it, folded from its events: what a waiting POST answers
// with before the read model has caught up. Pure: events in, view out.
import { pendingResult, webhookStatusImpliedBy, type AgentResult, type ChorusEvent, type RequestView, type WebhookSummary, type WebhookTarget } from "@chorus/contracts";
import type { ProcessInput } from "../processing/schema.ts";

const ENDED = new Set<RequestView["status"]>(["completed", "partial", "failed"]);

function pendingWebhook(target: WebhookTarget | { url: string } | null): WebhookSummary | null {
  return target ? { url: target.url, status: "pending", attempts: 0, last_status_code: null, delivered_at: null } : null;
}

/** What is known the moment a request is submitted, before any event about it. */
export function submittedView(requestId: string, input: ProcessInput, createdAt: string): RequestView {
  return {
    request_id: requestId,
    status: "pending",
    orchestration_mode: input.orchestration_mode,
    agents: [...input.agents],
    created_at: createdAt,
    completed_at: null,
    results: Object.fromEntries(input.agents.map((a) => [a, pendingResult()])),
    webhook: pendingWebhook(input.webhook),
  };
}

function withResult(view: RequestView | undefined, agent: keyof RequestView["results"], change: Partial<AgentResult>): RequestView | undefined {
  // Before the request is known there is nothing to attach to; after its end, the end event's results are final.
  if (!view || ENDED.has(view.status)) return view;
  const current = view.results[agent] ?? pendingResult();
  return { ...view, status: "processing", results: { ...view.results, [agent]: { ...current, ...change } } };
}

/** Applies one event to the view; an event of another request changes nothing. */
export function applyEvent(view: RequestView | undefined, event: ChorusEvent): RequestView | undefined {
  if (view && view.request_id !== event.request_id) return view;
  switch (event.type) {
    case "RequestAccepted":
      if (view && view.status !== "pending") return view;
      return {
        request_id: event.request_id,
        status: "pending",
        orchestration_mode: event.data.orchestration_mode,
        agents: [...event.data.agents],
        created_at: event.occurred_at,
        completed_at: null,
        results: Object.fromEntries(event.data.agents.map((a) => [a, view?.results[a] ?? pendingResult()])),
        webhook: view?.webhook ?? pendingWebhook(event.data.webhook),
      };
    case "RequestCompleted":
    case "RequestFailed":
      return {
        request_id: event.request_id,
        status: event.data.status,
        orchestration_mode: event.data.orchestration_mode,
        agents: [...event.data.agents],
        created_at: event.data.created_at,
        completed_at: event.occurred_at,
        results: event.data.results,
        webhook: view?.webhook ?? pendingWebhook(event.data.webhook),
      };
    case "AgentDispatched":
      return withResult(view, event.data.agent, {});
    case "AgentStarted":
      // Recorded only for a run that goes on a while: a quick one goes from pending to its
      // outcome, which sets everything a start would have.
      return withResult(view, event.data.agent, { status: "running", provider: event.data.provider, model: event.data.model });
    case "AgentCompleted":
      return withResult(view, event.data.agent, {
        status: "completed",
        provider: event.data.provider,
        model: event.data.model,
        duration_ms: event.data.duration_ms,
        usage: event.data.usage,
        error: null,
        output: event.data.output,
      });
    case "AgentFailed":
      return withResult(view, event.data.agent, {
        status: "failed",
        provider: event.data.provider,
        model: event.data.model,
        duration_ms: event.data.duration_ms,
        usage: event.data.usage,
        error: event.data.error,
        output: null,
      });
    case "WebhookAttempted":
    case "WebhookDelivered":
      if (!view?.webhook) return view;
      // Where the webhook stands is the read model's rule (contracts), so both answer alike.
      return {
        ...view,
        webhook: {
          ...view.webhook,
          status: webhookStatusImpliedBy(event),
          attempts: Math.max(view.webhook.attempts, event.data.attempt),
          last_status_code: event.data.status_code,
          ...(event.type === "WebhookDelivered" ? { delivered_at: event.occurred_at } : {}),
        },
      };
    case "WebhookCircuitChanged":
      // The endpoint's state, not the request's: the webhook log shows it.
      return view;
    case "WebhookExhausted":
      if (!view?.webhook) return view;
      return { ...view, webhook: { ...view.webhook, status: webhookStatusImpliedBy(event), attempts: Math.max(view.webhook.attempts, event.data.attempts) } };
    case "RequestErased":
      // Nothing of the request can be shown any more: readers answer 410 (see results/read.ts).
      return view;
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event type ${String((unknown as { type: string }).type)}`);
    }
  }
}

/** Folds a request's events, in stream order, over what was known before (if anything). */
export function viewFromEvents(events: readonly ChorusEvent[], initial?: RequestView): RequestView | undefined {
  return events.reduce<RequestView | undefined>(applyEvent, initial);
}
