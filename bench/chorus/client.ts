// A lean REST client for the load: waiting POST /api/v1/process over keep-alive
// node:http (lighter than fetch, so the load generator takes less of the two cores).
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import type { OrchestrationMode } from "@chorus/contracts";
import type { Call } from "../lib/load.ts";

/** Each call posts the next of `texts`, round robin. */
export function processCall(baseUrl: string, texts: readonly string[], mode: OrchestrationMode, apiKey?: string): { call: Call; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4_096 });
  const url = new URL("/api/v1/process", baseUrl);
  const bodies = texts.map((text) => JSON.stringify({ text, orchestration_mode: mode }));
  let next = 0;
  const call: Call = () =>
    new Promise((resolve, reject) => {
      const body = bodies[next++ % bodies.length] as string;
      const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) } }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("error", reject);
        res.on("end", () => {
          try {
            const view = JSON.parse(Buffer.concat(parts).toString("utf8")) as { status?: string; request_id?: string };
            // Only a 200 with the request completed counts: a 202 means the gateway stopped waiting.
            const ok = res.statusCode === 200 && view.status === "completed";
            resolve({ ok, ...(view.request_id ? { requestId: view.request_id } : {}), ...(ok ? {} : { failure: `${res.statusCode} ${view.status ?? "no status"}` }) });
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  return { call, close: () => agent.destroy() };
}

const corpus = new URL("../../eval/corpus/dev/articles.json", import.meta.url);

/** The evaluation corpus's news articles (a few hundred characters each), as the load's texts. */
export function corpusTexts(): string[] {
  return (JSON.parse(readFileSync(corpus, "utf8")) as { text: string }[]).map((a) => a.text);
}
