// A request, an event or a page of requests as a person reads them in a terminal. Pure:
// text in, text out; colour only through the `paint` given (none when NO_COLOR or not a TTY).
import type { ChorusEvent, RequestView } from "@chorus/contracts";

export type Paint = { bold(s: string): string; dim(s: string): string; good(s: string): string; bad(s: string): string };

export const plain: Paint = { bold: (s) => s, dim: (s) => s, good: (s) => s, bad: (s) => s };

const statusText = (status: string, p: Paint) => (status === "completed" || status === "delivered" ? p.good(status) : status === "failed" || status === "exhausted" ? p.bad(status) : status);

export function renderRequest(view: RequestView, p: Paint = plain): string {
  const lines = [`${p.bold(view.request_id)}  ${statusText(view.status, p)}  ${view.orchestration_mode}  ${view.agents.join(", ")}`];
  if (view.created_at) lines.push(p.dim(`created ${view.created_at}${view.completed_at ? `, ended ${view.completed_at}` : ""}`));
  for (const agent of view.agents) {
    const result = view.results[agent];
    if (!result) continue;
    lines.push("", `${p.bold(agent)}  ${statusText(result.status, p)}${result.model ? p.dim(`  ${result.provider ?? ""} ${result.model}`) : ""}${result.duration_ms !== null ? p.dim(`  ${result.duration_ms} ms`) : ""}`);
    if (result.error) lines.push(`  ${p.bad(`${result.error.code}: ${result.error.message}`)}`);
    const output = result.output as Record<string, unknown> | null;
    if (!output) continue;
    if (agent === "summarizer") {
      lines.push(`  ${String(output.summary ?? "")}`);
      for (const point of (output.key_points as string[] | undefined) ?? []) lines.push(`  • ${point}`);
    } else if (agent === "sentiment") {
      lines.push(`  ${String(output.label)} (score ${String(output.score)}, confidence ${String(output.confidence)})`);
    } else if (agent === "entity_extractor") {
      const entities = (output.entities as { text: string; type: string }[] | undefined) ?? [];
      lines.push(entities.length ? `  ${entities.map((e) => `${e.text} ${p.dim(e.type)}`).join(", ")}` : p.dim("  no entities"));
    }
  }
  if (view.webhook) lines.push("", `webhook ${view.webhook.url}  ${statusText(view.webhook.status, p)}, ${view.webhook.attempts} attempt(s)`);
  return lines.join("\n");
}

export function renderEvent(event: ChorusEvent, p: Paint = plain): string {
  const data = event.data as Record<string, unknown>;
  const agent = typeof data.agent === "string" ? ` ${data.agent}` : "";
  const extra =
    event.type === "AgentFailed"
      ? ` ${p.bad(String((data.error as { code?: string } | undefined)?.code ?? ""))}`
      : event.type === "RequestCompleted" || event.type === "RequestFailed"
        ? ` ${statusText(String(data.status), p)}`
        : "";
  return `${p.dim(event.occurred_at)}  ${event.type}${agent}${extra}`;
}

export function renderPage(page: { items: RequestView[]; total: number; page: number; page_size: number }, p: Paint = plain): string {
  const rows = page.items.map((v) => `${v.request_id}  ${statusText(v.status.padEnd(10), p)}  ${v.orchestration_mode.padEnd(10)}  ${v.created_at ?? ""}`);
  const last = Math.max(1, Math.ceil(page.total / page.page_size));
  return [...rows, p.dim(`page ${page.page} of ${last}, ${page.total} request(s)`)].join("\n");
}
