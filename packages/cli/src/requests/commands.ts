// The request commands of `chorus`, over the REST API: each takes the API client and an
// output, prints for a person (or the API's JSON with `json`), and returns its exit code.
import type { RequestView } from "@chorus/contracts";
import type { ChorusApi } from "../api/client.ts";
import { EXIT } from "../exit-codes.ts";
import { renderEvent, renderPage, renderRequest, type Paint } from "./render.ts";

export type Output = { write(text: string): void; /** What went wrong, for a person (stderr). */ warn(text: string): void; paint: Paint; json: boolean };

const print = (out: Output, text: string) => out.write(`${text}\n`);
const ended = (v: RequestView) => v.status === "completed" || v.status === "partial" || v.status === "failed";
/** 0 for a completed request (or one still running), 1 for one that failed or ended partial. */
const exitFor = (v: RequestView) => (v.status === "failed" || v.status === "partial" ? EXIT.failed : EXIT.ok);

export type SubmitInput = { text: string; mode?: string; agents?: string[]; webhookUrl?: string; webhookSecret?: string; wait: boolean };

export async function submitCommand(api: ChorusApi, input: SubmitInput, out: Output): Promise<number> {
  const body: Record<string, unknown> = { text: input.text };
  if (input.mode) body.orchestration_mode = input.mode;
  if (input.agents) body.agents = input.agents;
  if (input.webhookUrl) body.webhook_url = input.webhookUrl;
  if (input.webhookSecret) body.webhook_secret = input.webhookSecret;
  // Submitted without waiting; with --wait the events show the agents' progress until the end.
  const accepted = await api.submit(body, { wait: false });
  if (!input.wait) {
    print(out, out.json ? JSON.stringify(accepted, null, 2) : `${accepted.request_id}  ${accepted.status}`);
    return EXIT.ok;
  }
  if (!out.json) print(out, out.paint.bold(accepted.request_id));
  for await (const event of api.events(accepted.request_id)) if (!out.json) print(out, renderEvent(event, out.paint));
  const view = await settled(api, accepted.request_id);
  print(out, out.json ? JSON.stringify(view, null, 2) : `\n${renderRequest(view, out.paint)}`);
  if (!ended(view)) {
    // The event stream closed before the end (a gateway stopping): the request runs on.
    out.warn(`chorus: stopped following ${view.request_id} before its end; chorus watch ${view.request_id} follows it again\n`);
    return EXIT.failed;
  }
  return exitFor(view);
}

/** The request's view once the API shows it ended (a read right after the end event may still be catching up). */
async function settled(api: ChorusApi, id: string): Promise<RequestView> {
  for (let i = 0; ; i++) {
    const view = await api.get(id);
    if (ended(view) || i >= 50) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function getCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  const view = await api.get(id);
  print(out, out.json ? JSON.stringify(view, null, 2) : renderRequest(view, out.paint));
  return exitFor(view);
}

export async function listCommand(api: ChorusApi, query: Parameters<ChorusApi["list"]>[0], out: Output): Promise<number> {
  const page = await api.list(query);
  print(out, out.json ? JSON.stringify(page, null, 2) : renderPage(page, out.paint));
  return EXIT.ok;
}

export async function watchCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  for await (const event of api.events(id)) print(out, out.json ? JSON.stringify(event) : renderEvent(event, out.paint));
  return EXIT.ok;
}

export async function webhooksCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  const log = await api.webhookLog(id);
  if (out.json) print(out, JSON.stringify(log, null, 2));
  else if (log.attempts.length === 0) print(out, "no webhook delivery attempts");
  else for (const a of log.attempts) print(out, `#${a.attempt}  ${a.attempted_at}  ${a.status_code === null ? out.paint.bad(a.error ?? "no answer") : String(a.status_code)}${out.paint.dim(`  ${a.duration_ms} ms`)}`);
  if (!out.json) for (const c of log.circuit ?? []) print(out, `circuit ${c.state}  ${c.changed_at}  ${c.endpoint}${out.paint.dim(c.next_probe_at ? `  next probe ${c.next_probe_at}` : "")}`);
  return EXIT.ok;
}

export async function eraseCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  const erasure = await api.erase(id);
  print(out, out.json ? JSON.stringify(erasure, null, 2) : `erased ${erasure.request_id} at ${erasure.erased_at} (${erasure.erased_events} events)`);
  return EXIT.ok;
}

export async function retryCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  const answer = await api.retryWebhook(id);
  print(out, out.json ? JSON.stringify(answer, null, 2) : `webhook redelivery of ${id} requested`);
  return EXIT.ok;
}
